import { describe, expect, it } from "vitest";
import { SnapshotCache } from "./snapshot";

describe("SnapshotCache", () => {
  function counter() {
    let n = 0;
    return { compute: async () => ++n, count: () => n };
  }

  /** Computations that settle (with their run's number) only when released, oldest first. */
  function held() {
    let n = 0;
    const releases: (() => void)[] = [];
    const compute = () => {
      const run = ++n;
      return new Promise<number>((resolve) => releases.push(() => resolve(run)));
    };
    return { compute, release: () => releases.shift()!(), runs: () => n };
  }

  it("computes once for concurrent callers and reuses the value within its age, telling its age", async () => {
    let t = 1_000;
    const cache = new SnapshotCache(10, () => t);
    const c = counter();
    const [a, b] = await Promise.all([cache.get("k", 500, c.compute), cache.get("k", 500, c.compute)]);
    expect([a.value, b.value, c.count()]).toEqual([1, 1, 1]);
    t = 1_400;
    const later = await cache.get("k", 500, c.compute);
    expect(later.value).toBe(1);
    expect(later.asOf.getTime()).toBe(1_000);
    t = 1_501;
    expect((await cache.get("k", 500, c.compute)).value).toBe(2);
  });

  it("renews a snapshot in use behind its callers, never serving it past its maximum age", async () => {
    let t = 1_000;
    const cache = new SnapshotCache(10, () => t);
    const { compute, release, runs } = held();
    const first = cache.get("k", 1_000, compute);
    release();
    expect((await first).value).toBe(1);
    t = 1_700; // inside three quarters of its age: served as it is, nothing started
    expect((await cache.get("k", 1_000, compute)).value).toBe(1);
    expect(runs()).toBe(1);
    t = 1_800; // past three quarters: still served at once, one renewal starts behind it
    const during = await Promise.all([cache.get("k", 1_000, compute), cache.get("k", 1_000, compute)]);
    expect(during.map((s) => [s.value, s.asOf.getTime()])).toEqual([
      [1, 1_000],
      [1, 1_000],
    ]);
    expect(runs()).toBe(2);
    t = 2_001; // past its age with the renewal still running: the caller waits for the renewal, not a third run
    const expired = cache.get("k", 1_000, compute);
    release();
    expect(await expired).toEqual({ value: 2, asOf: new Date(1_800) });
    expect((await cache.get("k", 1_000, compute)).value).toBe(2);
    expect(runs()).toBe(2);
  });

  it("drops a renewal that a write forgot while it ran", async () => {
    let t = 1_000;
    const cache = new SnapshotCache(10, () => t);
    const { compute, release, runs } = held();
    const first = cache.get("summary:a", 1_000, compute);
    release();
    await first;
    t = 1_900;
    await cache.get("summary:a", 1_000, compute); // starts renewal 2, which read before the write below
    cache.invalidate("summary:");
    const after = cache.get("summary:a", 1_000, compute); // run 3, after the write
    release(); // renewal 2 settles: it must not replace anything
    release();
    expect((await after).value).toBe(3);
    expect((await cache.get("summary:a", 1_000, compute)).value).toBe(3);
    expect(runs()).toBe(3);
  });

  it("keeps serving a snapshot whose renewal failed, and tries again on the next call", async () => {
    let t = 1_000;
    const cache = new SnapshotCache(10, () => t);
    await cache.get("k", 1_000, async () => "old");
    t = 1_800;
    let fail = true;
    const compute = async () => {
      if (fail) throw new Error("db down");
      return "new";
    };
    expect((await cache.get("k", 1_000, compute)).value).toBe("old");
    await new Promise((r) => setTimeout(r, 0));
    fail = false;
    expect((await cache.get("k", 1_000, compute)).value).toBe("old");
    await new Promise((r) => setTimeout(r, 0));
    expect((await cache.get("k", 1_000, compute)).value).toBe("new");
  });

  it("does not keep a failure, and forgets by prefix", async () => {
    const cache = new SnapshotCache();
    await expect(cache.get("x", 1_000, () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    expect((await cache.get("x", 1_000, async () => "ok")).value).toBe("ok");
    const c = counter();
    await cache.get("summary:a", 60_000, c.compute);
    await cache.get("other", 60_000, c.compute);
    cache.invalidate("summary:");
    expect((await cache.get("summary:a", 60_000, c.compute)).value).toBe(3);
    expect((await cache.get("other", 60_000, c.compute)).value).toBe(2);
  });

  it("keeps at most maxEntries snapshots", async () => {
    const cache = new SnapshotCache(2);
    const c = counter();
    await cache.get("a", 60_000, c.compute);
    await cache.get("b", 60_000, c.compute);
    await cache.get("c", 60_000, c.compute);
    expect((await cache.get("a", 60_000, c.compute)).value).toBe(4);
  });

  it("joins callers that arrive while a computation runs, and computes afresh once it has settled", async () => {
    const cache = new SnapshotCache();
    let runs = 0;
    let release!: () => void;
    const compute = () => {
      runs++;
      return new Promise<number>((resolve) => (release = () => resolve(runs)));
    };
    const first = cache.joined("verify", compute);
    const second = cache.joined("verify", compute);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 1]);
    const third = cache.joined("verify", compute);
    release();
    expect(await third).toBe(2);
    await expect(cache.joined("verify", () => Promise.reject(new Error("broken")))).rejects.toThrow("broken");
    const fourth = cache.joined("verify", compute);
    release();
    expect(await fourth).toBe(3);
  });
});
