import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedisUrl } from "../../../../tests/support/services";
import { createRedisStore, type RedisStore } from "./redis";
import { pollUntil, type Check } from "../../../../tests/support/until";

const REDIS_URL = testRedisUrl();
const PREFIX = `near-test:${randomUUID()}:`;
const NAME = `near-test-${randomUUID().slice(0, 8)}`;

const until = <T>(what: string, check: Check<T>, ms = 3_000) => pollUntil(what, check, ms, 10);

/**
 * The Redis store's near cache on the real Redis: instance A keeps copies, and every way a record can
 * change elsewhere — another instance's write, any client's command, expiry, a dropped invalidation
 * feed — reaches it. maxAgeMs is a minute here, so only invalidations can explain a fresh read.
 */
describe.skipIf(!REDIS_URL)("Redis near cache (real Redis)", () => {
  let a: RedisStore;
  let b: RedisStore;
  let raw: Redis;
  const key = (name: string) => `${PREFIX}${name}`;
  const put = (store: RedisStore, k: string, value: string, ttlMs = 60_000) => store.setVersioned(k, value, { ttlMs });

  beforeAll(async () => {
    a = createRedisStore(REDIS_URL!, { nearCache: { prefix: PREFIX, maxBytes: 1 << 20, maxAgeMs: 60_000, connectionName: NAME } });
    b = createRedisStore(REDIS_URL!, { nearCache: { prefix: PREFIX, maxBytes: 1 << 20, maxAgeMs: 60_000 } });
    raw = new Redis(REDIS_URL!);
    // the feeds open at the first cached read
    await Promise.all([a.getVersioned(`${PREFIX}warm-up`), b.getVersioned(`${PREFIX}warm-up`)]);
    await until("both caches are live", () => Boolean(a.nearCacheStats()?.live && b.nearCacheStats()?.live));
  });
  afterAll(async () => {
    const keys = await raw.keys(`${PREFIX}*`);
    if (keys.length) await raw.del(...keys);
    await Promise.all([a.close(), b.close(), raw.quit()]);
  });

  /** A's invalidation count moves past `before`: Redis's message about the change has arrived. */
  const invalidatedSince = (before: number) => until("A hears of the change", () => a.nearCacheStats()!.invalidations > before);

  it("serves repeated reads from the copy, and another instance's write reaches it", async () => {
    const k = key("shared");
    await put(b, k, "one");
    expect((await a.getVersioned(k))?.value).toBe("one");
    const { hits } = a.nearCacheStats()!;
    expect((await a.getVersioned(k))?.value).toBe("one");
    expect(a.nearCacheStats()!.hits).toBe(hits + 1);

    const before = a.nearCacheStats()!.invalidations;
    await put(b, k, "two");
    await invalidatedSince(before);
    expect(await a.getVersioned(k)).toEqual({ version: 2, value: "two" });
  });

  it("sees its own write at once (no waiting for Redis's message)", async () => {
    const k = key("own");
    await put(a, k, "one");
    expect((await a.getVersioned(k))?.value).toBe("one");
    await put(a, k, "two");
    expect(await a.getVersioned(k)).toEqual({ version: 2, value: "two" });
    await a.delVersioned(k);
    expect(await a.getVersioned(k)).toBeNull();
  });

  it("hears of changes made by any client, not only by the app (a raw HSET, a DEL)", async () => {
    const k = key("raw");
    await put(b, k, "one");
    await a.getVersioned(k);
    let before = a.nearCacheStats()!.invalidations;
    await raw.hset(k, "d", "edited by hand");
    await invalidatedSince(before);
    expect((await a.getVersioned(k))?.value).toBe("edited by hand");
    before = a.nearCacheStats()!.invalidations;
    await raw.del(k);
    await invalidatedSince(before);
    expect(await a.getVersioned(k)).toBeNull();
  });

  it("does not serve a record past its expiry in Redis", async () => {
    const k = key("expiring");
    await put(b, k, "short-lived", 300);
    expect((await a.getVersioned(k))?.value).toBe("short-lived");
    await until("the expired record is gone from A too", async () => (await a.getVersioned(k)) === null, 5_000);
  });

  it("caches batch reads too, and a write elsewhere reaches them", async () => {
    const [k1, k2] = [key("batch-1"), key("batch-2")];
    await put(b, k1, "one");
    expect((await a.getVersionedMany([k1, k2])).map((r) => r?.value ?? null)).toEqual(["one", null]);
    const { hits } = a.nearCacheStats()!;
    await a.getVersionedMany([k1, k2]);
    expect(a.nearCacheStats()!.hits).toBe(hits + 2);
    const before = a.nearCacheStats()!.invalidations;
    await put(b, k2, "two");
    await invalidatedSince(before);
    expect((await a.getVersionedMany([k1, k2])).map((r) => r?.value ?? null)).toEqual(["one", "two"]);
  });

  it("leaves keys outside its prefix uncached", async () => {
    const k = `near-test-other:${randomUUID()}`;
    await b.setVersioned(k, "x", { ttlMs: 60_000 });
    const { hits } = a.nearCacheStats()!;
    await a.getVersioned(k);
    await a.getVersioned(k);
    expect(a.nearCacheStats()!.hits).toBe(hits);
    await raw.del(k);
  });

  it("under concurrent reads and writes on two instances, reads its own writes and ends with no stale copy", async () => {
    const keys = [key("race-1"), key("race-2"), key("race-3")];
    const stores = [a, b];
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    for (let round = 0; round < 60; round++) {
      // a burst of operations in flight together: reads overtaken by writes, writes overtaken by reads
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          const s = Math.floor(Math.random() * 2);
          const k = pick(keys);
          if (Math.random() < 0.4) {
            const { version } = await put(stores[s]!, k, `round ${round}`);
            // read-your-writes: this instance answers at least the version it just wrote
            expect((await stores[s]!.getVersioned(k))?.version ?? 0).toBeGreaterThanOrEqual(version);
          } else {
            await stores[s]!.getVersioned(k);
          }
        }),
      );
    }
    // Once Redis's messages are in, no instance may answer from a stale copy (maxAgeMs is a minute here).
    await sleep(200);
    for (const k of keys) {
      const truth = Number(await raw.hget(k, "v"));
      for (const s of stores) expect((await s.getVersioned(k))?.version, k).toBe(truth);
    }
    expect(a.nearCacheStats()!.hits + b.nearCacheStats()!.hits).toBeGreaterThan(0);
  });

  it("does not keep a read whose reply Redis's invalidation of a later write overtook", async () => {
    const k = key("overtaken");
    await put(b, k, "v1");
    for (let i = 0; i < 20; i++) {
      // A's read and B's write leave in the same tick; while this process is busy, Redis answers the
      // read (the old version) and then applies the write, queueing its invalidation to A's feed. Which
      // of the two replies A handles first is the sockets' order: both happen across the rounds.
      const reading = a.getVersioned(k);
      const writing = put(b, k, `v${i + 2}`);
      await new Promise((r) => setImmediate(r)); // the commands are written out
      const until = Date.now() + 15;
      while (Date.now() < until); // Redis handles both meanwhile
      await Promise.all([reading, writing]);
      await sleep(5); // the invalidation is in
      expect((await a.getVersioned(k))?.version, `round ${i}`).toBe(i + 2);
    }
  });

  it("forgets everything when its invalidation feed drops, misses nothing written meanwhile, and caches again once back", async () => {
    const k = key("outage");
    await put(b, k, "before");
    await a.getVersioned(k);
    expect(a.nearCacheStats()!.entries).toBeGreaterThan(0);

    const feeds = (await raw.client("LIST")) as string;
    const id = feeds
      .split("\n")
      .find((line) => line.includes(` name=${NAME} `))
      ?.match(/^id=(\d+)/)?.[1];
    expect(id, "the feed connection is listed under its name").toBeDefined();
    await raw.client("KILL", "ID", id!);
    await until("A's cache is off", () => !a.nearCacheStats()!.live);
    expect(a.nearCacheStats()!.entries).toBe(0);

    await put(b, k, "during"); // while A hears nothing
    expect((await a.getVersioned(k))?.value).toBe("during");

    await until("A's feed is back", () => a.nearCacheStats()!.live, 10_000);
    await a.getVersioned(k);
    const { hits, invalidations } = a.nearCacheStats()!;
    expect((await a.getVersioned(k))?.value).toBe("during");
    expect(a.nearCacheStats()!.hits).toBe(hits + 1);
    await put(b, k, "after");
    await invalidatedSince(invalidations);
    expect((await a.getVersioned(k))?.value).toBe("after");
  });
});
