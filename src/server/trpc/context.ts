import type { Actor } from "@/server/core/auth/actor";
import type { CallContext, ResourceType, Surface } from "@/server/core/audit/log";
import type { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";

/**
 * What every procedure sees. The surface adapter (REST, MCP, dashboard, CLI) authenticates the
 * caller through core/auth before building it; the procedure builders then authorize.
 */
export interface Context {
  deps: Deps;
  requestId: string;
  surface: Surface;
  ip: string | null;
  /** The authenticated caller, or null with the reason in `authError` when a credential failed. */
  actor: Actor | null;
  authError: AppError | null;
  /** Headers the procedure adds to the response (rate limits). */
  resHeaders: Headers;
  /** The Idempotency-Key request header (REST), for procedures that create. */
  idempotencyKey?: string | null;
  /** When set (the dashboard's batched tRPC), refused calls are collected here and audited as one row per request. */
  refusals?: Refusal[];
}

/** A call refused by a procedure (or a request refused before any ran), waiting to be audited. */
export interface Refusal {
  action: string;
  resourceType: ResourceType;
  error: AppError;
  input?: unknown;
}

export function createContext(init: Omit<Context, "resHeaders" | "authError"> & Partial<Pick<Context, "resHeaders" | "authError">>): Context {
  return { resHeaders: new Headers(), authError: null, ...init };
}

/** What a service needs to audit its change: who, through which surface, under which request. */
export function callOf(ctx: Context & { actor: Actor }): CallContext {
  return { actor: ctx.actor, requestId: ctx.requestId, surface: ctx.surface, ip: ctx.ip };
}
