import { assertLeaseOpts, indexKeys } from "./scripts";
import type { IndexRef, KeyValueStore, Versioned } from "./types";

/** A record (versioned value) or an index (member → expiry in ms) live beside strings and lists. */
type Index = Map<string, number>;
type Entry = { value: string | Versioned | Index; expiresAt: number | null };

const SWEEP_MS = 60_000;
const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

/** In-process store for tests and single-instance dev; mirrors Redis semantics, including type errors. */
export function createMemoryStore(): KeyValueStore {
  const data = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const entry = data.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      data.delete(key);
      return undefined;
    }
    return entry;
  };
  const stringAt = (key: string): string | null => {
    const entry = live(key);
    if (!entry) return null;
    if (typeof entry.value !== "string") throw new Error(WRONGTYPE);
    return entry.value;
  };

  const recordAt = (key: string): Versioned | null => {
    const entry = live(key);
    if (!entry) return null;
    if (typeof entry.value !== "object" || Array.isArray(entry.value) || entry.value instanceof Map) throw new Error(WRONGTYPE);
    return { ...entry.value };
  };
  /** The index's live members, pruned of expired ones (the same upkeep the Redis scripts do). */
  const indexAt = (name: string, create: boolean): Index | null => {
    const index = indexKeys(name)[1];
    const entry = live(index);
    if (entry && !(entry.value instanceof Map)) throw new Error(WRONGTYPE);
    if (!entry && !create) return null;
    const members: Index = entry ? (entry.value as Index) : new Map();
    if (!entry) data.set(index, { value: members, expiresAt: null });
    const now = Date.now();
    for (const [m, exp] of members) if (exp <= now) members.delete(m);
    return members;
  };
  const addMembers = (refs: IndexRef[], expiresAt: number) => {
    for (const ref of refs) {
      const members = indexAt(ref.index, true)!;
      const old = members.get(ref.member);
      const score = ref.extend && old !== undefined && old > expiresAt ? old : expiresAt;
      members.set(ref.member, score);
      const entry = data.get(indexKeys(ref.index)[1])!;
      entry.expiresAt = Math.max(entry.expiresAt ?? 0, score);
    }
  };

  // Expired entries are already invisible; the sweep only bounds memory held by keys nobody reads again.
  const sweeper = setInterval(() => {
    for (const key of data.keys()) live(key);
  }, SWEEP_MS);
  sweeper.unref();

  return {
    kind: "memory",
    available: () => true,
    async get(key) {
      return stringAt(key);
    },
    async set(key, value, opts) {
      const ttl = opts?.ttlMs;
      if (ttl !== undefined) assertPositiveInt("ttlMs", ttl);
      data.set(key, { value, expiresAt: ttl === undefined ? null : Date.now() + ttl });
    },
    async setIfAbsent(key, value, ttlMs) {
      assertPositiveInt("ttlMs", ttlMs);
      if (live(key)) return false;
      data.set(key, { value, expiresAt: Date.now() + ttlMs });
      return true;
    },
    async claim(key, value, ttlMs) {
      assertPositiveInt("ttlMs", ttlMs);
      const held = stringAt(key);
      if (held !== null && held !== value) return held;
      data.set(key, { value, expiresAt: Date.now() + ttlMs });
      return value;
    },
    async del(key) {
      const existed = live(key) !== undefined;
      data.delete(key);
      return existed;
    },
    async ttlMs(key) {
      const entry = live(key);
      return entry?.expiresAt == null ? null : entry.expiresAt - Date.now();
    },
    async incrWindow(key, windowMs, by = 1) {
      assertPositiveInt("windowMs", windowMs);
      assertPositiveInt("by", by);
      const current = stringAt(key);
      if (current !== null && !/^-?\d+$/.test(current)) throw new Error("ERR value is not an integer or out of range");
      const now = Date.now();
      const count = (current === null ? 0 : Number(current)) + by;
      const entry = live(key);
      const expiresAt = current === null || entry?.expiresAt == null ? now + windowMs : entry.expiresAt;
      data.set(key, { value: String(count), expiresAt });
      return { count, resetMs: expiresAt - now };
    },
    async getVersioned(key) {
      return recordAt(key);
    },
    async getVersionedMany(keys) {
      return keys.map(recordAt);
    },
    async setVersioned(key, value, opts) {
      assertPositiveInt("ttlMs", opts.ttlMs);
      const previous = recordAt(key);
      const current = previous?.version ?? 0;
      if (opts.ifVersion !== undefined && opts.ifVersion !== current) return { written: false, version: current, previous };
      const expiresAt = Date.now() + opts.ttlMs;
      data.set(key, { value: { version: current + 1, value }, expiresAt });
      addMembers(opts.indexes ?? [], expiresAt);
      return { written: true, version: current + 1, previous };
    },
    async delVersioned(key, opts) {
      const previous = recordAt(key);
      data.delete(key);
      for (const ref of opts?.indexes ?? []) indexAt(ref.index, false)?.delete(ref.member);
      return previous;
    },
    async indexRange(index, opts) {
      const prefix = opts.prefix ?? "";
      const members = [...(indexAt(index, false)?.keys() ?? [])];
      return members
        .filter((m) => m.startsWith(prefix) && (opts.after === undefined || m > opts.after))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, opts.limit);
    },
    async indexCount(index) {
      return indexAt(index, false)?.size ?? 0;
    },
    // No await between the count and the take: one claim runs to its end before another starts, as a script does in Redis.
    async claimLease(index, member, opts) {
      assertLeaseOpts(opts);
      const leases = indexAt(index, false);
      const held = leases?.size ?? 0;
      if (!leases?.has(member) && held >= opts.limit) return { taken: false, held };
      addMembers([{ index, member }], Date.now() + opts.ttlMs);
      return { taken: true, held: indexAt(index, false)!.size };
    },
    async releaseLease(index, member) {
      return indexAt(index, false)?.delete(member) ?? false;
    },
    async ping() {},
    async close() {
      clearInterval(sweeper);
    },
  };
}

function assertPositiveInt(name: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${n}`);
}
