#!/usr/bin/env node
// Generates the Prisma client. Prisma's CLI wants its native schema engine even for `generate`,
// and that binary cannot be downloaded on machines without internet: point it at a stub that
// `generate` never calls (see docs/decisions.md). A real engine path in the env wins.
import { execFileSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";

const stub = fileURLToPath(new URL("./schema-engine-stub.sh", import.meta.url));
chmodSync(stub, 0o755);
execFileSync(process.execPath, [fileURLToPath(new URL("../node_modules/prisma/build/index.js", import.meta.url)), "generate"], {
  stdio: ["ignore", "ignore", "inherit"],
  env: { PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: "1", ...process.env },
});
