/**
 * Group commit: calls made while a statement runs (or in the same turn of the event loop) join the
 * next one, so a burst of writes costs a few statements and commits instead of one each, and one
 * connection at a time instead of a pool's worth. Each call resolves once its statement has committed.
 * A failed statement of several is retried one call at a time, so a bad call fails alone.
 */
export class GroupCommit<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    /** Stores the items in one statement; returns their results in the same order. */
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly opts: {
      /** Most items per statement (default 500). */
      max?: number;
      /** Items of one key go one per statement, in the order they were added. */
      keyOf?: (item: T) => string;
    } = {},
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.take();
      try {
        const results = await this.run(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        else for (const b of batch) await this.run([b.item]).then(([r]) => b.resolve(r!), b.reject);
      }
    }
    this.flushing = null;
  }

  /** The next statement's items: the oldest first, at most `max`, at most one per key. */
  private take(): typeof this.pending {
    const max = this.opts.max ?? 500;
    const keyOf = this.opts.keyOf;
    if (!keyOf) return this.pending.splice(0, max);
    const batch: typeof this.pending = [];
    const rest: typeof this.pending = [];
    const keys = new Set<string>();
    for (const p of this.pending) {
      const key = keyOf(p.item);
      if (batch.length < max && !keys.has(key)) {
        keys.add(key);
        batch.push(p);
      } else rest.push(p);
    }
    this.pending = rest;
    return batch;
  }
}
