/**
 * Aggregates (activity, context summary, metrics, connection lists) read many rows to answer one
 * request, and every dashboard tab and agent polls them. A snapshot is computed at most once per
 * `maxAgeMs` per instance and shared by every caller meanwhile (one computation for concurrent misses);
 * callers are told its age, so an answer never claims to be fresher than it is. `maxAgeMs` is kept
 * below the dashboard's refresh interval, so a page never shows data staler than its own refresh.
 */
export interface Snapshot<T> {
  value: T;
  /** When the value was computed. */
  asOf: Date;
}

interface Slot {
  at: number;
  value: Promise<unknown>;
}

export class SnapshotCache {
  private readonly slots = new Map<string, Slot>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly maxEntries = 512,
    private readonly now: () => number = Date.now,
  ) {}

  async get<T>(key: string, maxAgeMs: number, compute: () => Promise<T>): Promise<Snapshot<T>> {
    const now = this.now();
    const slot = this.slots.get(key);
    if (slot && now - slot.at <= maxAgeMs) return { value: (await slot.value) as T, asOf: new Date(slot.at) };
    const value = compute();
    this.slots.set(key, { at: now, value });
    value.catch(() => {
      if (this.slots.get(key)?.value === value) this.slots.delete(key);
    });
    while (this.slots.size > this.maxEntries) this.slots.delete(this.slots.keys().next().value!);
    return { value: await value, asOf: new Date(now) };
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

  /** Forgets snapshots whose key starts with `prefix` (after a write that changes them). */
  invalidate(prefix = ""): void {
    for (const key of [...this.slots.keys()]) if (key.startsWith(prefix)) this.slots.delete(key);
  }
}
