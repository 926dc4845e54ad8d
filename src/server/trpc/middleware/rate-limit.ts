import type { Actor } from "@/server/core/auth/actor";
import { DEFAULT_RATE_LIMITS, parseRateLimits, type OperationKind, type RateLimits } from "@/server/core/auth/permissions";
import { AppError } from "@/server/core/errors";
import type { KeyValueStore } from "@/server/adapters/kv/types";

const WINDOW_MS = 60_000;

export function limitsFor(actor: Actor, envSpec: string | undefined): RateLimits {
  const base = { ...DEFAULT_RATE_LIMITS, ...(envSpec ? parseRateLimits(envSpec) : {}) };
  return actor.type === "api_key" ? { ...base, ...actor.rateLimits } : base;
}

/**
 * A fixed one-minute window per caller and kind of operation, counted in the shared store.
 * When the store is down we fail open (the request proceeds, a warning is logged): an outage of
 * the cache must not take every API down with it; the limiter is abuse protection, not billing.
 * A store known to be disconnected is skipped without a round trip.
 */
export async function checkRateLimit(kv: KeyValueStore, actor: Actor, kind: OperationKind, limit: number, headers: Headers): Promise<void> {
  if (actor.type === "system") return;
  const bucket = actor.type === "api_key" ? actor.keyId : actor.id;
  let count: number;
  let resetMs: number;
  if (!kv.available()) return; // fail open at once rather than wait out the store's command timeout
  try {
    ({ count, resetMs } = await kv.incrWindow(`rl:${kind}:${bucket}`, WINDOW_MS));
  } catch (err) {
    console.warn(`[rate-limit] store unavailable, allowing request: ${(err as Error).message}`);
    return;
  }
  const reset = Math.max(1, Math.ceil(resetMs / 1000));
  const remaining = Math.max(0, limit - count);
  headers.set("RateLimit-Policy", `"${kind}";q=${limit};w=${WINDOW_MS / 1000}`);
  headers.set("RateLimit", `"${kind}";r=${remaining};t=${reset}`);
  if (count > limit) {
    headers.set("Retry-After", String(reset));
    throw new AppError("RATE_LIMITED", `Rate limit of ${limit} ${kind} requests per minute exceeded; retry in ${reset} s.`, { kind, limit, retryAfterSeconds: reset });
  }
}
