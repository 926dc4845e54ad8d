#!/bin/sh
echo "Prisma schema engine is not installed here; migrations are applied by the app (docs/decisions.md)." >&2
exit 1
