import { can, type Actor } from "@/server/core/auth/actor";
import type { Permission } from "@/server/core/auth/permissions";
import { AppError } from "@/server/core/errors";
import { t, toTrpcError } from "./init";
import { auditCall, mapAppErrors } from "./middleware/audit";
import { checkRateLimit, limitsFor } from "./middleware/rate-limit";

/**
 * The procedure builders (STYLE.md §4). Authentication happened at the surface (core/auth);
 * these authorize, rate-limit and narrow the context so handlers never check for a missing actor.
 */
export const router = t.router;

export const publicProcedure = t.procedure.use(auditCall).use(mapAppErrors);

const authenticated = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw toTrpcError(ctx.authError ?? new AppError("UNAUTHORIZED", "Sign in or send an API key."));
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

const rateLimited = authenticated.use(async ({ ctx, meta, type, next }) => {
  const kind = meta?.kind ?? (type === "query" ? "read" : "write");
  const limit = limitsFor(ctx.actor, ctx.deps.env.RATE_LIMITS)[kind];
  try {
    await checkRateLimit(ctx.deps.kv, ctx.actor, kind, limit, ctx.resHeaders);
  } catch (err) {
    throw err instanceof AppError ? toTrpcError(err) : err;
  }
  return next();
});

function requirePermission(actor: Actor, permission: Permission) {
  if (!can(actor, permission)) {
    const who = actor.type === "api_key" ? "This API key lacks" : "Your role lacks";
    throw toTrpcError(new AppError("FORBIDDEN", `${who} the "${permission}" permission.`));
  }
}

/** Any authenticated caller (API key or dashboard user). */
export const authedProcedure = rateLimited;

/** Callers holding a permission: an API key's scope or a user's role (core/auth/permissions.ts). */
export function scopedProcedure(permission: Permission) {
  return rateLimited.use(({ ctx, next }) => {
    requirePermission(ctx.actor, permission);
    return next();
  });
}

/** Dashboard users only (a signed-in human); API keys get 403. */
export const sessionProcedure = rateLimited.use(({ ctx, next }) => {
  const actor = ctx.actor;
  if (actor.type !== "user") throw toTrpcError(new AppError("FORBIDDEN", "Only a signed-in user can do this; API keys cannot."));
  return next({ ctx: { ...ctx, actor } });
});

/** Admins: users with the admin role or keys with the admin scope. */
export const adminProcedure = scopedProcedure("admin");

/** Signed-in users whose role holds a permission; API keys get 403 whatever their scopes. */
export function humanProcedure(permission: Permission) {
  return sessionProcedure.use(({ ctx, next }) => {
    requirePermission(ctx.actor, permission);
    return next();
  });
}

/** Deciding intents: a human with intents:approve (approver, admin), never an API key. */
export const approverProcedure = humanProcedure("intents:approve");
