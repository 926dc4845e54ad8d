import { can, type Actor } from "@/server/core/auth/actor";
import type { Permission } from "@/server/core/auth/permissions";
import { AppError } from "@/server/core/errors";
import { t, toTrpcError } from "./init";
import { auditCall } from "./middleware/audit";
import { checkRateLimit, limitsFor } from "./middleware/rate-limit";

/**
 * The procedure builders. Authentication happened at the surface (core/auth);
 * these authorize, rate-limit and narrow the context so handlers never check for a missing actor.
 * Each builder adds ONE middleware to the public chain: every level of a tRPC middleware chain
 * copies the call's options and context, a cost paid on every request (see bench/api.mjs).
 */
export const router = t.router;

export const publicProcedure = t.procedure.use(auditCall);

function requirePermission(actor: Actor, permission: Permission) {
  if (!can(actor, permission)) {
    const who = actor.type === "api_key" ? "This API key lacks" : "Your role lacks";
    throw toTrpcError(new AppError("FORBIDDEN", `${who} the "${permission}" permission.`));
  }
}

type UserActor = Extract<Actor, { type: "user" }>;

/** Who may call: any authenticated caller, or a signed-in user only, holding a permission or not. */
interface Rule<HumanOnly extends boolean> {
  humanOnly?: HumanOnly;
  permission?: Permission;
}

/** Authenticated, then rate-limited, then authorized by the rule; the handler's context has a non-null actor (a user's for humanOnly). */
function guarded<HumanOnly extends boolean = false>(rule: Rule<HumanOnly>) {
  return publicProcedure.meta({ access: { permission: rule.permission, humanOnly: rule.humanOnly } }).use(async ({ ctx, meta, type, next }) => {
    const actor = ctx.actor;
    if (!actor) throw toTrpcError(ctx.authError ?? new AppError("UNAUTHORIZED", "Sign in or send an API key."));
    const kind = meta?.kind ?? (type === "query" ? "read" : "write");
    try {
      await checkRateLimit(ctx.deps.kv, actor, kind, limitsFor(actor, ctx.deps.env.RATE_LIMITS)[kind], ctx.resHeaders);
    } catch (err) {
      throw err instanceof AppError ? toTrpcError(err) : err;
    }
    if (rule.humanOnly && actor.type !== "user") throw toTrpcError(new AppError("FORBIDDEN", "Only a signed-in user can do this; API keys cannot."));
    if (rule.permission) requirePermission(actor, rule.permission);
    // only the narrowed field: tRPC merges it into the context itself (a copy of every field, with its spread helper)
    return next({ ctx: { actor: actor as HumanOnly extends true ? UserActor : Actor } });
  });
}

/** Any authenticated caller (API key or dashboard user). */
export const authedProcedure = guarded({});

/** Callers holding a permission: an API key's scope or a user's role (core/auth/permissions.ts). */
export function scopedProcedure(permission: Permission) {
  return guarded({ permission });
}

/** Dashboard users only (a signed-in human); API keys get 403. */
export const sessionProcedure = guarded({ humanOnly: true });

/** Admins: users with the admin role or keys with the admin scope. */
export const adminProcedure = scopedProcedure("admin");

/** Signed-in users whose role holds a permission; API keys get 403 whatever their scopes. */
export function humanProcedure(permission: Permission) {
  return guarded({ humanOnly: true, permission });
}

/** Deciding intents: a human with intents:approve (approver, admin), never an API key. */
export const approverProcedure = humanProcedure("intents:approve");
