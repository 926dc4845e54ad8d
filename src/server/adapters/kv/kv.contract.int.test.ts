import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startUpstashFake } from "../../../../tests/fakes/upstash-rest";
import { createKeyValueStore, type KeyValueStore, type KeyValueStoreKind } from "./index";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const TOKEN = "contract-test-token";

async function redisReachable(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

// Skipping is only allowed for the implicit local default; an explicit URL or REQUIRE_SERVICES=1 must fail loudly.
const reachable = await redisReachable(REDIS_URL);
const mustRun = process.env.REQUIRE_SERVICES === "1" || process.env.TEST_REDIS_URL !== undefined;
const skipServices = !reachable && !mustRun;

function requireRedis(): void {
  if (!reachable) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (TEST_REDIS_URL=${process.env.TEST_REDIS_URL ?? "unset"}, ` +
        `REQUIRE_SERVICES=${process.env.REQUIRE_SERVICES ?? "unset"}). Start Redis or unset both to skip.`,
    );
  }
}

type Target = { name: string; kind: KeyValueStoreKind; skip: boolean; open(): Promise<{ store: KeyValueStore; close(): Promise<void> }> };

const targets: Target[] = [
  { name: "memory", kind: "memory", skip: false, open: async () => ({ store: createKeyValueStore({}), close: async () => {} }) },
  {
    name: "redis",
    kind: "redis",
    skip: skipServices,
    open: async () => {
      requireRedis();
      return { store: createKeyValueStore({ redisUrl: REDIS_URL }), close: async () => {} };
    },
  },
  {
    // every record of the suite read through the near cache (near-cache.int.test.ts tests its coherence)
    name: "redis with near cache",
    kind: "redis",
    skip: skipServices,
    open: async () => {
      requireRedis();
      return { store: createKeyValueStore({ redisUrl: REDIS_URL, nearCache: { prefix: "kv-contract:", maxBytes: 1 << 20 } }), close: async () => {} };
    },
  },
  {
    name: "upstash",
    kind: "upstash",
    skip: skipServices,
    open: async () => {
      requireRedis();
      const fake = await startUpstashFake({ redisUrl: REDIS_URL, token: TOKEN });
      // redisUrl is set too, to check that Upstash wins when both are configured.
      return { store: createKeyValueStore({ redisUrl: REDIS_URL, upstashUrl: fake.url, upstashToken: TOKEN }), close: fake.close };
    },
  },
];

describe.each(targets)("KeyValueStore contract: $name", ({ kind, skip, open }) => {
  let store: KeyValueStore;
  let closeBackend: () => Promise<void>;
  let made: string[] = [];
  const key = (name: string) => {
    const k = `kv-contract:${randomUUID()}:${name}`;
    made.push(k);
    return k;
  };

  beforeAll(async () => {
    if (skip) return;
    ({ store, close: closeBackend } = await open());
  });
  afterEach(async () => {
    if (skip) return;
    await Promise.all(made.map((k) => store.del(k)));
    made = [];
  });
  afterAll(async () => {
    await store?.close();
    await closeBackend?.();
  });

  it.skipIf(skip)("reports its kind and answers ping", async () => {
    expect(store.kind).toBe(kind);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it.skipIf(skip)("round-trips strings exactly: unicode, JSON-looking values and 64 KB", async () => {
    const values = ['héllo ✓ 🚀 中文 "quoted"\n\ttab', "", "007", "1e3", "true", "null", '{"a":1}', "[1,2]", "OK"];
    for (const [i, value] of values.entries()) {
      const k = key(`v${i}`);
      await store.set(k, value);
      expect(await store.get(k)).toBe(value);
    }
    const big = "ä€𝄞x".repeat(Math.ceil(65_536 / 10)); // 10 UTF-8 bytes per repeat
    expect(Buffer.byteLength(big)).toBeGreaterThanOrEqual(65_536);
    const k = key("big");
    await store.set(k, big);
    expect(await store.get(k)).toBe(big);
  });

  it.skipIf(skip)("get on a missing key is null; del reports whether the key existed", async () => {
    const k = key("k");
    expect(await store.get(k)).toBeNull();
    expect(await store.del(k)).toBe(false);
    await store.set(k, "v");
    await store.set(k, "v2");
    expect(await store.get(k)).toBe("v2");
    expect(await store.del(k)).toBe(true);
    expect(await store.get(k)).toBeNull();
    expect(await store.del(k)).toBe(false);
  });

  it.skipIf(skip)("expires values after ttlMs and reports the remaining ttl", async () => {
    const temp = key("temp");
    const plain = key("plain");
    await store.set(temp, "v", { ttlMs: 300 });
    await store.set(plain, "v");
    const left = await store.ttlMs(temp);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(300);
    expect(await store.ttlMs(plain)).toBeNull();
    expect(await store.ttlMs(key("missing"))).toBeNull();
    await sleep(500);
    expect(await store.get(temp)).toBeNull();
    expect(await store.ttlMs(temp)).toBeNull();
    expect(await store.del(temp)).toBe(false);
    expect(await store.get(plain)).toBe("v");
  });

  it.skipIf(skip)("set without ttl clears a previous expiry", async () => {
    const k = key("k");
    await store.set(k, "a", { ttlMs: 10_000 });
    await store.set(k, "b");
    expect(await store.ttlMs(k)).toBeNull();
  });

  it.skipIf(skip)("setIfAbsent sets only when absent, with a ttl, and again after expiry", async () => {
    const lock = key("lock");
    expect(await store.setIfAbsent(lock, "owner-1", 300)).toBe(true);
    expect(await store.setIfAbsent(lock, "owner-2", 300)).toBe(false);
    expect(await store.get(lock)).toBe("owner-1");
    const left = await store.ttlMs(lock);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(300);
    await sleep(450);
    expect(await store.setIfAbsent(lock, "owner-3", 10_000)).toBe(true);
    expect(await store.get(lock)).toBe("owner-3");
    expect(await store.del(lock)).toBe(true);
    expect(await store.setIfAbsent(lock, "owner-4", 10_000)).toBe(true);
  });

  it.skipIf(skip)("incrWindow counts within a window and starts a new one after it ends", async () => {
    const k = key("rate");
    const first = await store.incrWindow(k, 300);
    expect(first.count).toBe(1);
    expect(first.resetMs).toBeGreaterThan(0);
    expect(first.resetMs).toBeLessThanOrEqual(300);
    const second = await store.incrWindow(k, 300);
    expect(second.count).toBe(2);
    expect(second.resetMs).toBeLessThanOrEqual(first.resetMs);
    await sleep(500);
    const fresh = await store.incrWindow(k, 300);
    expect(fresh.count).toBe(1);
    expect(fresh.resetMs).toBeGreaterThan(0);
    expect(fresh.resetMs).toBeLessThanOrEqual(300);
  });

  it.skipIf(skip)("incrWindow adds a given amount, starting the window only for a new counter", async () => {
    const k = key("rate-by");
    const first = await store.incrWindow(k, 10_000, 5);
    expect(first.count).toBe(5);
    expect(first.resetMs).toBeGreaterThan(0);
    expect(first.resetMs).toBeLessThanOrEqual(10_000);
    expect((await store.incrWindow(k, 10_000)).count).toBe(6);
    expect((await store.incrWindow(k, 10_000, 3)).count).toBe(9);
    await expect(store.incrWindow(k, 10_000, 0)).rejects.toThrow();
  });

  it.skipIf(skip)("incrWindow is atomic under 50 concurrent calls", async () => {
    const k = key("burst");
    const results = await Promise.all(Array.from({ length: 50 }, () => store.incrWindow(k, 10_000)));
    const counts = results.map((r) => r.count).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const r of results) expect(r.resetMs).toBeGreaterThan(0);
    const left = await store.ttlMs(k);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(10_000);
  });

  it.skipIf(skip)("claim takes a free key, renews its holder's TTL, and answers another holder's value without touching it", async () => {
    const k = key("claim");
    expect(await store.claim(k, "a", 300)).toBe("a");
    expect(await store.claim(k, "a", 10_000)).toBe("a");
    expect(await store.ttlMs(k)).toBeGreaterThan(5_000);
    expect(await store.claim(k, "b", 10_000)).toBe("a");
    expect(await store.get(k)).toBe("a");
    const race = key("claim-race");
    const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claim(race, `c${i}`, 10_000)));
    expect(new Set(racers).size).toBe(1);
    const short = key("claim-short");
    await store.claim(short, "old", 200);
    await sleep(350);
    expect(await store.claim(short, "new", 10_000)).toBe("new");
  });

  describe("versioned records and indexes", () => {
    // Index names are registered for cleanup through the keys they occupy.
    const index = (name: string) => {
      const i = key(name);
      made.push(`${i}#lex`, `${i}#exp`);
      return i;
    };

    it.skipIf(skip)("setVersioned numbers writes 1, 2, 3, returns what each replaced, and expires with ttlMs", async () => {
      const k = key("rec");
      expect(await store.getVersioned(k)).toBeNull();
      const first = await store.setVersioned(k, "héllo ✓", { ttlMs: 10_000 });
      expect(first).toEqual({ written: true, version: 1, previous: null });
      const second = await store.setVersioned(k, '{"a":1}', { ttlMs: 10_000 });
      expect(second).toEqual({ written: true, version: 2, previous: { version: 1, value: "héllo ✓" } });
      expect(await store.getVersioned(k)).toEqual({ version: 2, value: '{"a":1}' });
      const left = await store.ttlMs(k);
      expect(left).toBeGreaterThan(5_000);
      expect(left).toBeLessThanOrEqual(10_000);
      const third = await store.setVersioned(k, "", { ttlMs: 300 });
      expect(third.version).toBe(3);
      expect(await store.getVersioned(k)).toEqual({ version: 3, value: "" });
      await sleep(500);
      expect(await store.getVersioned(k)).toBeNull();
      expect(await store.setVersioned(k, "again", { ttlMs: 10_000 })).toEqual({ written: true, version: 1, previous: null });
    });

    it.skipIf(skip)("setVersioned with ifVersion writes only on a match; 0 means absent", async () => {
      const k = key("cas");
      expect(await store.setVersioned(k, "a", { ttlMs: 10_000, ifVersion: 1 })).toEqual({ written: false, version: 0, previous: null });
      expect(await store.getVersioned(k)).toBeNull();
      expect(await store.setVersioned(k, "a", { ttlMs: 10_000, ifVersion: 0 })).toMatchObject({ written: true, version: 1 });
      expect(await store.setVersioned(k, "b", { ttlMs: 10_000, ifVersion: 0 })).toEqual({ written: false, version: 1, previous: { version: 1, value: "a" } });
      expect(await store.setVersioned(k, "b", { ttlMs: 10_000, ifVersion: 1 })).toMatchObject({ written: true, version: 2 });
      expect(await store.getVersioned(k)).toEqual({ version: 2, value: "b" });
    });

    it.skipIf(skip)("30 concurrent writers get distinct versions, each seeing the record it replaced", async () => {
      const k = key("race");
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => store.setVersioned(k, `w${i}`, { ttlMs: 10_000 })));
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      for (const r of results) expect(r.previous?.version ?? 0).toBe(r.version - 1);
      expect((await store.getVersioned(k))?.version).toBe(30);
    });

    it.skipIf(skip)("of 20 concurrent writers expecting the same version, exactly one wins", async () => {
      const k = key("cas-race");
      await store.setVersioned(k, "base", { ttlMs: 10_000 });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setVersioned(k, `w${i}`, { ttlMs: 10_000, ifVersion: 1 })));
      expect(results.filter((r) => r.written)).toHaveLength(1);
      for (const r of results.filter((x) => !x.written)) expect(r.version).toBe(2);
    });

    it.skipIf(skip)("getVersionedMany answers in order, null for missing", async () => {
      const [a, b, c] = [key("a"), key("b"), key("c")];
      await store.setVersioned(a, "A", { ttlMs: 10_000 });
      await store.setVersioned(c, "C", { ttlMs: 10_000 });
      await store.setVersioned(c, "C2", { ttlMs: 10_000 });
      expect(await store.getVersionedMany([a, b, c])).toEqual([{ version: 1, value: "A" }, null, { version: 2, value: "C2" }]);
      expect(await store.getVersionedMany([])).toEqual([]);
    });

    it.skipIf(skip)("indexes list live members in byte order with prefix, after and limit; delVersioned unlists", async () => {
      const idx = index("idx");
      const names = ["b/2", "a.1", "b/1", "b-x", "c", "b/10"];
      for (const n of names) await store.setVersioned(key(`r-${n}`), n, { ttlMs: 10_000, indexes: [{ index: idx, member: n }] });
      expect(await store.indexRange(idx, { limit: 100 })).toEqual(["a.1", "b-x", "b/1", "b/10", "b/2", "c"]);
      expect(await store.indexRange(idx, { prefix: "b/", limit: 100 })).toEqual(["b/1", "b/10", "b/2"]);
      expect(await store.indexRange(idx, { prefix: "b/", after: "b/1", limit: 1 })).toEqual(["b/10"]);
      expect(await store.indexRange(idx, { prefix: "b", after: "a", limit: 100 })).toEqual(["b-x", "b/1", "b/10", "b/2"]);
      expect(await store.indexRange(idx, { after: "c", limit: 10 })).toEqual([]);
      expect(await store.indexCount(idx)).toBe(6);
      const rec = made.find((m) => m.endsWith(":r-b/1"))!;
      expect(await store.delVersioned(rec, { indexes: [{ index: idx, member: "b/1" }] })).toEqual({ version: 1, value: "b/1" });
      expect(await store.delVersioned(rec, { indexes: [{ index: idx, member: "b/1" }] })).toBeNull();
      expect(await store.getVersioned(rec)).toBeNull();
      expect(await store.indexRange(idx, { prefix: "b/", limit: 100 })).toEqual(["b/10", "b/2"]);
      expect(await store.indexCount(idx)).toBe(5);
      expect(await store.indexCount(index("empty"))).toBe(0);
      expect(await store.indexRange(index("empty2"), { limit: 5 })).toEqual([]);
    });

    it.skipIf(skip)("expired members leave the index, even when more than one prune's worth expired", async () => {
      const idx = index("mass");
      // 260 writes through the Upstash REST fake can take a second on a loaded machine: the short
      // expiry leaves room for that before the count, and the wait runs from the last write.
      const shortTtl = 2_000;
      await Promise.all(
        Array.from({ length: 260 }, (_, i) => store.setVersioned(key(`m${i}`), "x", { ttlMs: i % 52 === 0 ? 20_000 : shortTtl, indexes: [{ index: idx, member: `m${String(i).padStart(3, "0")}` }] })),
      );
      expect(await store.indexCount(idx)).toBe(260);
      await sleep(shortTtl + 300);
      expect(await store.indexRange(idx, { limit: 3 })).toEqual(["m000", "m052", "m104"]);
      expect(await store.indexRange(idx, { limit: 100 })).toEqual(["m000", "m052", "m104", "m156", "m208"]);
      expect(await store.indexCount(idx)).toBe(5);
    });

    it.skipIf(skip)("a member with extend keeps the latest expiry it was given; without, the last write's", async () => {
      const groups = index("groups");
      const keys = index("keys");
      await store.setVersioned(key("long"), "x", {
        ttlMs: 20_000,
        indexes: [
          { index: groups, member: "g", extend: true },
          { index: keys, member: "k" },
        ],
      });
      await store.setVersioned(key("short"), "x", {
        ttlMs: 250,
        indexes: [
          { index: groups, member: "g", extend: true },
          { index: keys, member: "k" },
        ],
      });
      await sleep(450);
      expect(await store.indexRange(groups, { limit: 10 })).toEqual(["g"]);
      expect(await store.indexRange(keys, { limit: 10 })).toEqual([]);
      const left = await store.ttlMs(`${groups}#exp`);
      expect(left).toBeGreaterThan(10_000);
    });

    it.skipIf(skip)("of 12 concurrent lease claims on a pool of 5, exactly 5 win; a release or an expiry frees a lease", async () => {
      const pool = index("leases");
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => store.claimLease(pool, `m${i}`, { limit: 5, ttlMs: 10_000 })));
      const winners = claims.flatMap((c, i) => (c.taken ? [`m${i}`] : []));
      expect(winners).toHaveLength(5);
      for (const c of claims.filter((x) => !x.taken)) expect(c.held).toBe(5);
      expect(await store.indexCount(pool)).toBe(5);
      // a holder renews even when the pool is full; a newcomer does not get in
      expect(await store.claimLease(pool, winners[0]!, { limit: 5, ttlMs: 10_000 })).toEqual({ taken: true, held: 5 });
      expect((await store.claimLease(pool, "late", { limit: 5, ttlMs: 10_000 })).taken).toBe(false);
      expect(await store.releaseLease(pool, winners[1]!)).toBe(true);
      expect(await store.releaseLease(pool, winners[1]!)).toBe(false);
      expect(await store.claimLease(pool, "late", { limit: 5, ttlMs: 10_000 })).toEqual({ taken: true, held: 5 });
      expect((await store.claimLease(pool, "later", { limit: 5, ttlMs: 10_000 })).taken).toBe(false);
      // a holder that stops renewing (a crashed instance) loses its lease when it expires
      const short = index("short-leases");
      expect((await store.claimLease(short, "crashed", { limit: 1, ttlMs: 300 })).taken).toBe(true);
      expect((await store.claimLease(short, "next", { limit: 1, ttlMs: 10_000 })).taken).toBe(false);
      await sleep(450);
      expect(await store.claimLease(short, "next", { limit: 1, ttlMs: 10_000 })).toEqual({ taken: true, held: 1 });
      expect(await store.releaseLease(short, "crashed")).toBe(false);
      await expect(store.claimLease(short, "x", { limit: 0, ttlMs: 1_000 })).rejects.toThrow(/limit/);
    });
  });
});

describe("KeyValueStore when the server is down", () => {
  const dead: Array<[string, () => KeyValueStore]> = [
    ["redis", () => createKeyValueStore({ redisUrl: "redis://127.0.0.1:1" })],
    ["redis with near cache", () => createKeyValueStore({ redisUrl: "redis://127.0.0.1:1", nearCache: { prefix: "", maxBytes: 1 << 20 } })],
    ["upstash", () => createKeyValueStore({ upstashUrl: "http://127.0.0.1:1", upstashToken: TOKEN })],
  ];

  it.each(dead)("%s rejects within 3 s instead of hanging", async (_kind, make) => {
    const store = make();
    try {
      for (const op of [() => store.ping(), () => store.get("k"), () => store.incrWindow("k", 1_000), () => store.getVersioned("k")]) {
        const started = Date.now();
        await expect(op()).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(3_000);
      }
      // A TCP store that has seen its connection fail says so, so callers with a fallback skip it;
      // stateless HTTP cannot know before a request fails.
      expect(store.available()).toBe(store.kind !== "redis");
    } finally {
      await store.close();
    }
  });
});
