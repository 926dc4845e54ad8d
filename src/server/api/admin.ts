import { z } from "zod";
import type { CallContext } from "@/server/core/audit/log";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/core/auth/key-store";
import { ROLES, SCOPES } from "@/server/core/auth/permissions";
import { createUser } from "@/server/core/auth/users";
import { readAdminLink, tokenMatches } from "@/server/adapters/db/admin-link";
import { systemActor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import { getDeps, type Deps } from "@/server/deps";
import { sealAndRotate, verifyAuditLog } from "@/server/features/audit/lifecycle";
import { indexRepos, runningIndexRuns, runQueuedIndexJobs } from "@/server/jobs/index-repo/jobs";
import type { IndexProgress } from "@/server/jobs/index-repo/run";
import { appErrorResponse, jsonError, requestIdOf } from "./http";

/**
 * The operator commands of the CLI (keys, users, index). The CLI runs them in its own process, or — when
 * the app holds the embedded database — sends them to the app's loopback admin route, which runs
 * this same function. One implementation either way.
 */
export const adminCommand = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("keys.create"),
    clientId: z.string(),
    scopes: z.array(z.enum(SCOPES)).min(1),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    rateLimits: z.object({ read: z.number().int().positive().optional(), write: z.number().int().positive().optional(), expensive: z.number().int().positive().optional() }).optional(),
    ownerEmail: z.string().optional(),
  }),
  z.object({ op: z.literal("keys.list"), clientId: z.string().optional(), includeRevoked: z.boolean().default(false) }),
  z.object({ op: z.literal("keys.revoke"), prefix: z.string() }),
  z.object({ op: z.literal("users.create"), email: z.string(), role: z.enum(ROLES), password: z.string() }),
  z.object({ op: z.literal("index.run"), repo: z.string().optional(), full: z.boolean().default(false) }),
  z.object({ op: z.literal("index.progress") }),
  z.object({ op: z.literal("index.queued") }),
  z.object({ op: z.literal("audit.verify"), archive: z.boolean().default(false) }),
  z.object({ op: z.literal("audit.seal") }),
]);
export type AdminCommand = z.infer<typeof adminCommand>;
/** In-process callers (the CLI without a running app) can follow long commands as they go. */
export interface AdminHooks {
  onIndexProgress?: (repoId: string, p: IndexProgress) => void;
}

export async function runAdminCommand(deps: Deps, call: CallContext, cmd: AdminCommand, hooks: AdminHooks = {}): Promise<unknown> {
  switch (cmd.op) {
    case "index.run":
      return indexRepos(deps, { trigger: "cli", repo: cmd.repo, full: cmd.full, onProgress: hooks.onIndexProgress });
    case "index.progress":
      return runningIndexRuns(deps.db);
    case "index.queued":
      return runQueuedIndexJobs(deps);
    case "keys.create":
      return createApiKey(deps.audit, call, { ...cmd, expiresAt: cmd.expiresAt ? new Date(cmd.expiresAt) : null });
    case "keys.list":
      return listApiKeys(deps.db, { clientId: cmd.clientId, includeRevoked: cmd.includeRevoked, limit: 1000 });
    case "keys.revoke":
      return revokeApiKey(deps.audit, deps.apiKeyCache, call, cmd.prefix);
    case "users.create":
      return createUser(deps.audit, call, cmd);
    case "audit.verify":
      return verifyAuditLog(deps, { archive: cmd.archive });
    case "audit.seal":
      return sealAndRotate(deps);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** POST /api/admin/cli: the CLI's commands while this process holds the embedded database. */
export async function handleAdminCli(req: Request): Promise<Response> {
  const deps = await getDeps();
  const requestId = requestIdOf(req);
  const link = deps.database.kind === "pglite" ? readAdminLink(deps.env.dataDir) : null;
  if (!link || link.pid !== process.pid || !LOOPBACK.has(new URL(req.url).hostname)) {
    return jsonError("NOT_FOUND", "No admin link here.", requestId);
  }
  const sent = req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? null;
  if (!tokenMatches(link.token, sent)) return jsonError("UNAUTHORIZED", "Bad admin token.", requestId);
  const parsed = adminCommand.safeParse(await req.json().catch(() => null));
  if (!parsed.success) return jsonError("BAD_REQUEST", z.prettifyError(parsed.error), requestId);
  try {
    const result = await runAdminCommand(deps, { actor: systemActor("cli"), requestId, surface: "cli" }, parsed.data);
    return Response.json({ result });
  } catch (err) {
    if (err instanceof AppError) return appErrorResponse(err, requestId);
    throw err;
  }
}
