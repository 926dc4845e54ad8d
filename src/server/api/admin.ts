import { z } from "zod";
import { readAdminLink, tokenMatches } from "@/server/adapters/db/admin-link";
import { systemActor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import { checkBucketLimit } from "@/server/trpc/middleware/rate-limit";
import { adminCommand, runAdminCommand } from "./commands";
import { guardRoute } from "./guard";

export const ADMIN_LINK_FAILURES_PER_MINUTE = 10;
const LOOPBACK_ADDRESSES = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * POST /api/admin/cli on the admin link's own listener (admin-listener.ts), never through Next.js: a
 * Next route handler cannot see the socket, only headers (Host, and an X-Forwarded-For that Next
 * fills only when the client did not send one), all of which a caller can write. The listener is
 * bound to 127.0.0.1 and hands over the socket's remote address, checked here again.
 */
export const handleAdminCli = guardRoute({ action: "admin.cli", surface: "cli", caller: "none", methods: ["POST"], auditRateLimited: false }, async (g, remoteAddress: string | undefined) => {
  const { deps, req } = g;
  const link = deps.database.kind === "pglite" ? readAdminLink(deps.env.dataDir) : null;
  try {
    if (!link || link.pid !== process.pid || !remoteAddress || !LOOPBACK_ADDRESSES.has(remoteAddress)) throw new AppError("NOT_FOUND", "No admin link here.");
    const sent = req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? null;
    if (!tokenMatches(link.token, sent)) throw new AppError("UNAUTHORIZED", "Bad admin token.");
  } catch (err) {
    await checkBucketLimit(deps.kv, `admin-link:failures:${process.pid}`, "write", ADMIN_LINK_FAILURES_PER_MINUTE, g.headers);
    throw err;
  }
  const parsed = adminCommand.safeParse(await req.json().catch(() => null));
  if (!parsed.success) throw new AppError("BAD_REQUEST", z.prettifyError(parsed.error));
  g.action = `admin.cli ${parsed.data.op}`;
  const result = await runAdminCommand(deps, { actor: systemActor("cli"), requestId: g.requestId, surface: "cli" }, parsed.data);
  return Response.json({ result });
});
