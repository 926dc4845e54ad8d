/**
 * The shared key-value store: what is hot and shared across instances (context entries with TTL,
 * the recent-audit tail, rate-limit counters, locks). Three implementations — Upstash REST, Redis
 * over TCP, in-process memory — behave identically; `kv.contract.int.test.ts` holds them to it.
 */
export type KeyValueStoreKind = "upstash" | "redis" | "memory";

export interface KeyValueStore {
  readonly kind: KeyValueStoreKind;
  /** The value, or null when missing or expired. */
  get(key: string): Promise<string | null>;
  /** Sets the value; with `ttlMs` it expires after that many milliseconds (enforced by the store). */
  set(key: string, value: string, opts?: { ttlMs?: number }): Promise<void>;
  /** Sets only if absent (a lock); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes; true when the key existed. */
  del(key: string): Promise<boolean>;
  /** Remaining time to live in ms; null when the key is missing or has no expiry. */
  ttlMs(key: string): Promise<number | null>;
  /**
   * Atomically increments a counter, starting a window of `windowMs` when the counter is new.
   * Returns the count after the increment and the ms left in the window.
   */
  incrWindow(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  /** Pushes to the head of a list and trims it to `max` items, atomically. */
  pushCapped(key: string, value: string, max: number): Promise<void>;
  /** Items `start..stop` (inclusive, like LRANGE) from the head of a list. */
  range(key: string, start: number, stop: number): Promise<string[]>;
  /** Round trip to the store; resolves when it answers. */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
