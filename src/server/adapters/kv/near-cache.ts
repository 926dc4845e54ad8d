import type { Versioned } from "./types";

export interface NearCacheOptions {
  /** Bytes of keys and values kept, roughly; the least recently read go first. */
  maxBytes: number;
  /** The longest a copy is served without reading the store again: the bound on staleness should invalidations be lost unnoticed. */
  maxAgeMs: number;
  now?: () => number;
}

export interface NearCacheStats {
  live: boolean;
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  invalidations: number;
  evictions: number;
}

/** A record as read from the store, with when the store will expire it (epoch ms; null: never). */
export interface Loaded {
  record: Versioned | null;
  expiresAt: number | null;
}

interface Slot extends Loaded {
  bytes: number;
  at: number;
}

/** What a slot costs beside its key and value (the slot, the map entry, the record object). */
const OVERHEAD_BYTES = 96;

/**
 * An instance's copy of recently read versioned records, kept coherent by the store's invalidations
 * (`invalidate`, `clear`) while `live`, and never served past the expiry the store gave it (the
 * store's own message about an expired key can come late: Redis expires keys lazily or by sampling).
 * Not live — before the invalidation feed is up, or once it drops — it keeps nothing and every read
 * goes to the store.
 *
 * The race every client-side cache has (a read answered with the old value, its reply overtaken by the
 * invalidation of the write after it) is closed by keeping a read's result only when nothing
 * invalidated its key while it was under way: `invalidate` forgets reads in flight as well as copies.
 * Concurrent misses of one key share one read.
 */
export class NearCache {
  private readonly slots = new Map<string, Slot>();
  private readonly reading = new Map<string, Promise<Versioned | null>>();
  /** Bumped by every invalidation: a batch read keeps its results only when it did not move. */
  private generation = 0;
  private bytes = 0;
  private live = false;
  private readonly counts = { hits: 0, misses: 0, invalidations: 0, evictions: 0 };
  private readonly now: () => number;

  constructor(private readonly opts: NearCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The invalidation feed is up: copies may be kept from now on. */
  start(): void {
    this.live = true;
  }

  /** The feed is down: forget everything and keep nothing until `start`. */
  stop(): void {
    this.live = false;
    this.clear();
  }

  invalidate(key: string): void {
    this.counts.invalidations++;
    this.generation++;
    this.reading.delete(key);
    this.drop(key);
  }

  /** Forgets every copy (the store was flushed, or the feed restarted). */
  clear(): void {
    this.generation++;
    this.reading.clear();
    this.slots.clear();
    this.bytes = 0;
  }

  /** The record from a fresh copy, or from `load` (one load per key at a time), kept if nothing invalidated it meanwhile. */
  read(key: string, load: () => Promise<Loaded>): Promise<Versioned | null> {
    const slot = this.fresh(key);
    if (slot) return Promise.resolve(slot.record);
    if (!this.live) return load().then((loaded) => loaded.record);
    const pending = this.reading.get(key);
    if (pending) return pending;
    const reading: Promise<Versioned | null> = load().then(
      (loaded) => {
        if (this.reading.get(key) === reading) {
          this.reading.delete(key);
          this.keep(key, loaded);
        }
        return loaded.record;
      },
      (err: unknown) => {
        if (this.reading.get(key) === reading) this.reading.delete(key);
        throw err;
      },
    );
    this.reading.set(key, reading);
    return reading;
  }

  /** Several records: fresh copies as they are, the rest from one `load` of the missing keys (in their order). */
  async readMany(keys: string[], load: (missing: string[]) => Promise<Loaded[]>): Promise<(Versioned | null)[]> {
    const out: (Versioned | null)[] = new Array(keys.length).fill(null);
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const slot = this.fresh(key);
      if (slot) out[i] = slot.record;
      else missing.push(i);
    });
    if (missing.length === 0) return out;
    const generation = this.generation;
    const loaded = await load(missing.map((i) => keys[i]!));
    const keep = this.live && this.generation === generation;
    missing.forEach((i, j) => {
      const one = loaded[j] ?? { record: null, expiresAt: null };
      out[i] = one.record;
      if (keep) this.keep(keys[i]!, one);
    });
    return out;
  }

  stats(): NearCacheStats {
    return { live: this.live, entries: this.slots.size, bytes: this.bytes, ...this.counts };
  }

  private fresh(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    const now = this.now();
    if (slot && now - slot.at <= this.opts.maxAgeMs && (slot.expiresAt === null || now < slot.expiresAt)) {
      this.counts.hits++;
      // most recently read last: eviction takes from the front
      this.slots.delete(key);
      this.slots.set(key, slot);
      return slot;
    }
    if (slot) this.drop(key);
    this.counts.misses++;
    return undefined;
  }

  private keep(key: string, { record, expiresAt }: Loaded): void {
    if (!this.live) return;
    const bytes = key.length + (record?.value.length ?? 0) + OVERHEAD_BYTES;
    if (bytes > this.opts.maxBytes) return;
    this.drop(key);
    this.slots.set(key, { record: record && Object.freeze({ ...record }), expiresAt, bytes, at: this.now() });
    this.bytes += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.bytes <= this.opts.maxBytes) break;
      this.slots.delete(oldest);
      this.bytes -= slot.bytes;
      this.counts.evictions++;
    }
  }

  private drop(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.bytes -= slot.bytes;
  }
}
