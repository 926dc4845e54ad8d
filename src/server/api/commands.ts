import { z } from "zod";
import { booleanParam } from "@/server/core/params";
import type { CallContext } from "@/server/core/audit/log";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/core/auth/key-store";
import { ROLES, SCOPES } from "@/server/core/auth/permissions";
import { createUser } from "@/server/core/auth/users";
import type { Deps } from "@/server/deps";
import { sealAndRotate, verifyAuditLog } from "@/server/features/audit/lifecycle";
import { indexRepos, runningIndexRuns, runQueuedIndexJobs } from "@/server/features/repos/indexer/jobs";
import type { IndexProgress } from "@/server/features/repos/indexer/run";

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
    ownerEmail: z.string().min(1, "keys create needs --owner <email>: the person accountable for the key"),
  }),
  z.object({ op: z.literal("keys.list"), clientId: z.string().optional(), includeRevoked: booleanParam.default(false) }),
  z.object({ op: z.literal("keys.revoke"), prefix: z.string() }),
  z.object({ op: z.literal("users.create"), email: z.string(), role: z.enum(ROLES), password: z.string(), githubId: z.string().optional() }),
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
      return listApiKeys(deps, { clientId: cmd.clientId, includeRevoked: cmd.includeRevoked, limit: 1000 });
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

/** Failed attempts on the admin link, per minute, before it answers 429 (each failure is audited, so this bounds the rows too). */
