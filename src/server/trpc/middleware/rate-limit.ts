import type { Actor } from "@/server/core/auth/actor";
import { DEFAULT_RATE_LIMITS, parseRateLimits, type OperationKind, type RateLimits } from "@/server/core/auth/permissions";
import { AppError } from "@/server/core/errors";
import type { KeyValueStore } from "@/server/adapters/kv/types";

const WINDOW_MS = 60_000;

export function limitsFor(actor: Actor, envSpec: string | undefined): RateLimits {
  const base = { ...DEFAULT_RATE_LIMITS, ...(envSpec ? parseRateLimits(envSpec) : {}) };
  return actor.type === "api_key" ? { ...base, ...actor.rateLimits } : base;
}

/** Tokens this instance took from the shared counter and has not handed out yet, for one key and window. */
interface Lease {
  /** The next count to hand out, and the last one this instance owns. */
  next: number;
  last: number;
  /** Size of the last lease taken (leases grow while a key is busy). */
  size: number;
  windowEndsAt: number;
}

const MAX_LEASE = 64;
const MAX_KEYS = 10_000;
/** This instance's leases, and the refills in flight, per key. */
interface LeaseBook {
  leases: Map<string, Lease>;
  refills: Map<string, Promise<void>>;
}
/** Per store, so tests with stores of their own do not share counts; the store holds the truth. */
const leaseBooks = new WeakMap<KeyValueStore, LeaseBook>();

/**
 * The next count for a key: from this instance's lease when it has tokens left, else from a new
 * lease taken from the store in one command. A busy key's leases double up to 64, but never beyond a
 * quarter of what the limit leaves, so near the limit every count comes from the store, and once the
 * window is spent refusals cost no command at all. One refill per key is in flight at a time: callers
 * that find the lease empty meanwhile wait for it and share it (each taking a lease of its own would
 * spend the limit on counts nobody used). Across instances, counts a lease took but did not use are
 * lost to the others: a caller may be refused a little early, never let through past the limit.
 */
async function nextCount(kv: KeyValueStore, key: string, limit: number): Promise<{ count: number; resetMs: number }> {
  let book = leaseBooks.get(kv);
  if (!book) leaseBooks.set(kv, (book = { leases: new Map(), refills: new Map() }));
  for (;;) {
    const now = Date.now();
    const stored = book.leases.get(key);
    const lease = stored && stored.windowEndsAt > now ? stored : undefined; // one of this window
    if (lease) {
      if (lease.next <= lease.last) return { count: lease.next++, resetMs: lease.windowEndsAt - now };
      // the counter only grows within a window: once it passed the limit, refuse without asking the store
      if (lease.last >= limit) return { count: lease.last + 1, resetMs: lease.windowEndsAt - now };
    }
    const pending = book.refills.get(key);
    if (pending) {
      await pending;
      continue;
    }
    const refill = takeLease(kv, book, key, limit, lease);
    book.refills.set(key, refill);
    try {
      await refill;
    } finally {
      book.refills.delete(key);
    }
  }
}

/** A new lease for `key` from the store's counter, in place of `spent` (this window's, used up) if any. */
async function takeLease(kv: KeyValueStore, book: LeaseBook, key: string, limit: number, spent: Lease | undefined): Promise<void> {
  const room = Math.floor((limit - (spent?.last ?? 0)) / 4);
  const size = Math.max(1, Math.min(spent ? spent.size * 2 : 1, MAX_LEASE, room));
  const { count: last, resetMs } = await kv.incrWindow(key, WINDOW_MS, size);
  const now = Date.now();
  if (book.leases.size >= MAX_KEYS) for (const [k, l] of book.leases) if (l.windowEndsAt <= now) book.leases.delete(k);
  book.leases.set(key, { next: last - size + 1, last, size, windowEndsAt: now + resetMs });
}

/**
 * A fixed one-minute window per caller and kind of operation, counted in the shared store through
 * per-instance leases (nextCount): one store command per request when a key is quiet, one per 64 when it is busy.
 * When the store is down we fail open (the request proceeds, a warning is logged): an outage of
 * the cache must not take every API down with it; the limiter is abuse protection, not billing.
 * A store known to be disconnected is skipped without a round trip.
 */
export async function checkRateLimit(kv: KeyValueStore, actor: Actor, kind: OperationKind, limit: number, headers: Headers): Promise<void> {
  if (actor.type === "system") return;
  await checkBucketLimit(kv, actor.type === "api_key" ? actor.keyId : actor.id, kind, limit, headers);
}

/** The same limit for a bucket that is not a caller (e.g. the failed attempts on one route). */
export async function checkBucketLimit(kv: KeyValueStore, bucket: string, kind: OperationKind, limit: number, headers: Headers): Promise<void> {
  let count: number;
  let resetMs: number;
  if (!kv.available()) return; // fail open at once rather than wait out the store's command timeout
  try {
    ({ count, resetMs } = await nextCount(kv, `rl:${kind}:${bucket}`, limit));
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

/**
 * Whether the refusal of an unauthenticated request may be audited: at most `limit` per client IP per
 * minute, in one bucket for every caller when no trusted proxy names the IP (an anonymous caller must
 * not be able to grow the log at will). "notice" once per window, when the limit is passed, so the log
 * says that further refusals went unrecorded. One store command per anonymous refusal; fails open
 * (audits) when the store is down, like checkRateLimit.
 */
export async function anonymousRefusalBudget(kv: KeyValueStore, ip: string | null, limit: number): Promise<"audit" | "notice" | "skip"> {
  if (!kv.available()) return "audit";
  try {
    const { count } = await kv.incrWindow(`rl:anon-refusal:${ip ?? "*"}`, WINDOW_MS);
    return count <= limit ? "audit" : count === limit + 1 ? "notice" : "skip";
  } catch (err) {
    console.warn(`[rate-limit] store unavailable, auditing refusal: ${(err as Error).message}`);
    return "audit";
  }
}
