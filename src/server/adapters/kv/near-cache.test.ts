import { describe, expect, it } from "vitest";
import { NearCache, type Loaded } from "./near-cache";
import type { Versioned } from "./types";

const record = (version: number, value = `v${version}`): Versioned => ({ version, value });
/** As the store answers: the record and its expiry (none here unless given). */
const loaded = (r: Versioned | null, expiresAt: number | null = null): Loaded => ({ record: r, expiresAt });

/** A load the test finishes by hand, to put events between a read's start and its reply. */
function deferred() {
  let resolve!: (r: Loaded) => void;
  const promise = new Promise<Loaded>((r) => (resolve = r));
  return { promise, resolve };
}

function liveCache(opts: { maxBytes?: number; maxAgeMs?: number; now?: () => number } = {}) {
  const cache = new NearCache({ maxBytes: opts.maxBytes ?? 1_000_000, maxAgeMs: opts.maxAgeMs ?? 60_000, now: opts.now });
  cache.start();
  return cache;
}

describe("NearCache", () => {
  it("serves a second read from its copy, and reads again once the key is invalidated", async () => {
    const cache = liveCache();
    let loads = 0;
    const load = async () => loaded(record(++loads));
    expect(await cache.read("k", load)).toEqual(record(1));
    expect(await cache.read("k", load)).toEqual(record(1));
    expect(loads).toBe(1);
    cache.invalidate("k");
    expect(await cache.read("k", load)).toEqual(record(2));
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, invalidations: 1, entries: 1 });
  });

  it("keeps missing records too (null), until invalidated", async () => {
    const cache = liveCache();
    let loads = 0;
    const load = async () => loaded(++loads === 1 ? null : record(1));
    expect(await cache.read("k", load)).toBeNull();
    expect(await cache.read("k", load)).toBeNull();
    cache.invalidate("k");
    expect(await cache.read("k", load)).toEqual(record(1));
    expect(loads).toBe(2);
  });

  it("does not keep a read whose key was invalidated while it was under way (the write after it won)", async () => {
    const cache = liveCache();
    const first = deferred();
    const reading = cache.read("k", () => first.promise);
    cache.invalidate("k"); // the invalidation overtakes the older reply
    first.resolve(loaded(record(1)));
    expect(await reading).toEqual(record(1)); // the caller asked before the write: the old value is a fair answer
    let loads = 0;
    expect(await cache.read("k", async () => loaded(record(2 + loads++)))).toEqual(record(2)); // but it was not kept
    expect(loads).toBe(1);
  });

  it("shares one load among concurrent misses, but a read that starts after an invalidation does not join the older one", async () => {
    const cache = liveCache();
    const first = deferred();
    let loads = 0;
    const load = () => (loads++ === 0 ? first.promise : Promise.resolve(loaded(record(2))));
    const a = cache.read("k", load);
    const b = cache.read("k", load);
    expect(loads).toBe(1);
    cache.invalidate("k");
    const c = cache.read("k", load);
    expect(loads).toBe(2);
    first.resolve(loaded(record(1)));
    expect(await a).toEqual(record(1));
    expect(await b).toEqual(record(1));
    expect(await c).toEqual(record(2));
  });

  it("reads the store again once a copy is older than maxAgeMs", async () => {
    let now = 1_000;
    const cache = liveCache({ maxAgeMs: 500, now: () => now });
    let loads = 0;
    const load = async () => loaded(record(++loads));
    await cache.read("k", load);
    now += 500;
    expect(await cache.read("k", load)).toEqual(record(1));
    now += 1;
    expect(await cache.read("k", load)).toEqual(record(2));
  });

  it("never serves a copy past the expiry the store gave the record", async () => {
    let now = 1_000;
    const cache = liveCache({ now: () => now });
    let loads = 0;
    const load = async () => (++loads === 1 ? loaded(record(1), 1_200) : loaded(null));
    expect(await cache.read("k", load)).toEqual(record(1));
    now = 1_199;
    expect(await cache.read("k", load)).toEqual(record(1));
    now = 1_200;
    expect(await cache.read("k", load)).toBeNull();
    expect(loads).toBe(2);
  });

  it("keeps nothing while not live, and forgets everything when stopped", async () => {
    const cache = new NearCache({ maxBytes: 1_000_000, maxAgeMs: 60_000 });
    let loads = 0;
    const load = async () => loaded(record(++loads));
    await cache.read("k", load);
    await cache.read("k", load);
    expect(loads).toBe(2);
    cache.start();
    await cache.read("k", load);
    await cache.read("k", load);
    expect(loads).toBe(3);
    cache.stop();
    expect(cache.stats()).toMatchObject({ live: false, entries: 0, bytes: 0 });
    await cache.read("k", load);
    expect(loads).toBe(4);
  });

  it("evicts the least recently read copies beyond maxBytes", async () => {
    const cache = liveCache({ maxBytes: 3 * (1 + 100 + 96) });
    const load = (key: string) => async () => loaded({ version: 1, value: key.repeat(100) });
    for (const key of ["a", "b", "c"]) await cache.read(key, load(key));
    await cache.read("a", load("a")); // a is now the most recent
    await cache.read("d", load("d")); // b goes
    expect(cache.stats()).toMatchObject({ entries: 3, evictions: 1 });
    let reloaded = 0;
    await cache.read("b", async () => (reloaded++, loaded(record(1))));
    await cache.read("a", async () => (reloaded++, loaded(record(1))));
    expect(reloaded).toBe(1);
  });

  it("readMany serves copies and loads only the missing keys, in order", async () => {
    const cache = liveCache();
    await cache.read("b", async () => loaded(record(2)));
    const asked: string[][] = [];
    const got = await cache.readMany(["a", "b", "c"], async (missing) => {
      asked.push(missing);
      return missing.map((k) => loaded(k === "a" ? record(1) : null));
    });
    expect(got).toEqual([record(1), record(2), null]);
    expect(asked).toEqual([["a", "c"]]);
    expect(await cache.readMany(["a", "b", "c"], async () => expect.fail("all three are kept"))).toEqual([record(1), record(2), null]);
  });

  it("readMany keeps nothing when an invalidation came while it loaded", async () => {
    const cache = liveCache();
    await cache.readMany(["a"], async () => {
      cache.invalidate("other");
      return [loaded(record(1))];
    });
    expect(cache.stats().entries).toBe(0);
  });

  it("copies are frozen: a caller cannot change what the next one reads", async () => {
    const cache = liveCache();
    await cache.read("k", async () => loaded(record(1)));
    const kept = await cache.read("k", async () => loaded(record(9)));
    expect(Object.isFrozen(kept)).toBe(true);
  });
});
