/**
 * The shared key-value store: what is hot and shared across instances (context entries with TTL,
 * rate-limit counters, locks). Three implementations — Upstash REST, Redis
 * over TCP, in-process memory — behave identically; `kv.contract.int.test.ts` holds them to it.
 */
import type { NearCacheStats } from "./near-cache";

export type KeyValueStoreKind = "upstash" | "redis" | "memory";

/** A record whose version (1, 2, …) the store assigns atomically on each write. */
export interface Versioned {
  version: number;
  value: string;
}

/**
 * A membership in an index, kept with a record's writes. A member stays listed until the record's
 * expiry; with `extend`, until the latest expiry any write gave it (a group alive while any record in it is).
 */
export interface IndexRef {
  index: string;
  member: string;
  extend?: boolean;
}

export interface SetVersionedResult {
  /** False when `ifVersion` did not match; nothing changed then. */
  written: boolean;
  /** The version stored now: the new one, or the current one when not written. */
  version: number;
  /** The record before this call, or null when there was none (missing or expired). */
  previous: Versioned | null;
}

export interface LeaseClaim {
  /** Whether `member` holds a lease now. */
  taken: boolean;
  /** Live leases of the pool after this call. */
  held: number;
}

export interface KeyValueStore {
  readonly kind: KeyValueStoreKind;
  /**
   * False while the store is known to be unreachable (a TCP connection that dropped and has not come
   * back). Callers that can do without the store (rate limiting) skip it instead
   * of waiting out a command timeout on every request; the others call it and get the error.
   */
  available(): boolean;
  /** The value, or null when missing or expired. */
  get(key: string): Promise<string | null>;
  /** Sets the value; with `ttlMs` it expires after that many milliseconds (enforced by the store). */
  set(key: string, value: string, opts?: { ttlMs?: number }): Promise<void>;
  /** Sets only if absent (a lock); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Sets `value` with a TTL when the key is absent or holds `value` already (a holder renewing), in one
   * atomic step; returns what the key holds after the call (`value`, or another holder's).
   */
  claim(key: string, value: string, ttlMs: number): Promise<string>;
  /** Deletes; true when the key existed. */
  del(key: string): Promise<boolean>;
  /** Remaining time to live in ms; null when the key is missing or has no expiry. */
  ttlMs(key: string): Promise<number | null>;
  /**
   * Atomically increments a counter by `by` (default 1, a positive integer), starting a window of
   * `windowMs` when the counter is new.
   * Returns the count after the increment and the ms left in the window.
   */
  incrWindow(key: string, windowMs: number, by?: number): Promise<{ count: number; resetMs: number }>;
  /**
   * A versioned record (see setVersioned), or null when missing or expired. Redis over TCP may answer
   * from its near cache (redis.ts): another client's write shows once Redis's invalidation arrives.
   */
  getVersioned(key: string): Promise<Versioned | null>;
  /** Several versioned records in one round trip, in the order asked. */
  getVersionedMany(keys: string[]): Promise<(Versioned | null)[]>;
  /**
   * Atomically: reads the record's version (0 when absent) and — unless `ifVersion` is given and differs —
   * writes `value` as that version + 1, expiring after `ttlMs`, and lists the record in `indexes`.
   * Two concurrent writers never get the same version, and each sees the record it replaced.
   */
  setVersioned(key: string, value: string, opts: { ttlMs: number; ifVersion?: number; indexes?: IndexRef[] }): Promise<SetVersionedResult>;
  /** Atomically deletes a versioned record and its memberships in `indexes`; returns what it held. */
  delVersioned(key: string, opts?: { indexes?: IndexRef[] }): Promise<Versioned | null>;
  /**
   * Live members of an index in byte order: those starting with `prefix`, after `after` (exclusive),
   * at most `limit`. Members whose expiry has passed are never returned. An index occupies the keys
   * `<index>#lex` and `<index>#exp`.
   */
  indexRange(index: string, opts: { prefix?: string; after?: string; limit: number }): Promise<string[]>;
  /** The number of live members of an index. */
  indexCount(index: string): Promise<number>;
  /**
   * A bounded pool of leases kept as an index (members are holders, expiring like index members).
   * Atomically: drops expired leases, then gives `member` a lease of `ttlMs` from now when it holds one
   * already (a renewal) or fewer than `limit` are held. Two concurrent claims for the last lease never both
   * get it, and a holder that stops renewing (a crashed instance) loses its lease when it expires.
   */
  claimLease(index: string, member: string, opts: { limit: number; ttlMs: number }): Promise<LeaseClaim>;
  /** Gives back `member`'s lease; true when it held a live one. */
  releaseLease(index: string, member: string): Promise<boolean>;
  /** The near cache's counts (Redis over TCP with a near cache); absent or null without one. */
  nearCacheStats?(): NearCacheStats | null;
  /** Round trip to the store; resolves when it answers. */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
