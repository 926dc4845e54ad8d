/**
 * Aggregates (activity, context summary, metrics, connection lists) read many rows to answer one
 * request, and every dashboard tab and agent polls them. A snapshot is computed at most once per
 * `maxAgeMs` per instance and shared by every caller meanwhile (one computation for concurrent misses);
 * callers are told its age, so an answer never claims to be fresher than it is. `maxAgeMs` is kept
 * below the dashboard's refresh interval, so a page never shows data staler than its own refresh.
 *
 * A snapshot in use is renewed ahead of time: a caller that finds it older than REFRESH_AHEAD of its
 * maximum age still gets it, and starts one computation behind it that replaces it when done. A busy
 * aggregate is then never recomputed while its callers wait, and still never served past `maxAgeMs`;
 * only the first caller after a quiet spell (or after a write forgot the snapshot) waits for it.
 */
export interface Snapshot<T> {
  value: T;
  /** When the value was computed (when its computation began: it reads nothing older). */
  asOf: Date;
}

interface Slot {
  at: number;
  value: Promise<unknown>;
  settled: boolean;
}

/** The share of a snapshot's maximum age after which a caller starts its renewal. */
const REFRESH_AHEAD = 0.75;

export class SnapshotCache {
  private readonly slots = new Map<string, Slot>();
  /** Renewals in flight, by key: joined by callers that find the snapshot expired meanwhile. */
  private readonly renewals = new Map<string, Slot>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly maxEntries = 512,
    private readonly now: () => number = Date.now,
  ) {}

  async get<T>(key: string, maxAgeMs: number, compute: () => Promise<T>): Promise<Snapshot<T>> {
    const now = this.now();
    const slot = this.slots.get(key);
    if (slot && now - slot.at <= maxAgeMs) {
      if (slot.settled && now - slot.at > maxAgeMs * REFRESH_AHEAD && !this.renewals.has(key)) this.renew(key, slot, now, compute);
      return { value: (await slot.value) as T, asOf: new Date(slot.at) };
    }
    const current = this.renewals.get(key) ?? this.install(key, this.start(key, now, compute));
    return { value: (await current.value) as T, asOf: new Date(current.at) };
  }

  /**
   * One computation for callers that arrive while it runs, none kept after it settles: for work too
   * costly to run once per concurrent caller (a full verification of the audit chain) whose answer must
   * still be fresh for whoever asks after it.
   */
  async joined<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return (await running) as T;
    const value = compute().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, value);
    return value;
  }

  /** Forgets snapshots whose key starts with `prefix` (after a write that changes them), and their renewals. */
  invalidate(prefix = ""): void {
    for (const map of [this.slots, this.renewals]) for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
  }

  private start(key: string, now: number, compute: () => Promise<unknown>): Slot {
    const slot: Slot = { at: now, value: compute(), settled: false };
    slot.value.then(
      () => (slot.settled = true),
      () => {
        if (this.slots.get(key) === slot) this.slots.delete(key);
      },
    );
    return slot;
  }

  private install(key: string, slot: Slot): Slot {
    this.slots.set(key, slot);
    while (this.slots.size > this.maxEntries) this.slots.delete(this.slots.keys().next().value!);
    return slot;
  }

  /** Computes the next snapshot behind `old`; it replaces `old` unless a write forgot `old` meanwhile. */
  private renew(key: string, old: Slot, now: number, compute: () => Promise<unknown>) {
    const next = this.start(key, now, compute);
    this.renewals.set(key, next);
    const done = (ok: boolean) => {
      if (this.renewals.get(key) !== next) return; // forgotten by a write: what it read may predate the write
      this.renewals.delete(key);
      if (ok && this.slots.get(key) === old) this.install(key, next);
    };
    next.value.then(
      () => done(true),
      () => done(false),
    );
  }
}
