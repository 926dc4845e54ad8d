import { createHash } from "node:crypto";
import { Redis, ReplyError, type RedisOptions } from "ioredis";
import {
  CLAIM_LEASE_LUA,
  CLAIM_LUA,
  DEL_VERSIONED_LUA,
  INCR_WINDOW_LUA,
  INDEX_COUNT_LUA,
  INDEX_RANGE_LUA,
  SET_VERSIONED_LUA,
  indexKeys,
  lexBounds,
  RELEASE_LEASE_LUA,
  assertLeaseOpts,
  parseClaimLeaseReply,
  parseDelVersionedReply,
  parseIncrWindowReply,
  parseSetVersionedReply,
  versionedOf,
} from "./scripts";
import { NearCache, type Loaded, type NearCacheStats } from "./near-cache";
import type { KeyValueStore, Versioned } from "./types";

/** Versioned records under `prefix` read through an in-process copy (see `trackInvalidations`). */
export interface NearCacheConfig {
  prefix: string;
  maxBytes: number;
  /** Default 1 s. */
  maxAgeMs?: number;
  /** The invalidation connection's name in CLIENT LIST. */
  connectionName?: string;
}

export type RedisStore = KeyValueStore & { nearCacheStats(): NearCacheStats | null };

// Fail fast when Redis is down or hung: commands are queued while (re)connecting but rejected
// after one failed reconnect or 2 s, whichever comes first; reconnection keeps going in the background.
const CONNECTION: RedisOptions = { maxRetriesPerRequest: 1, connectTimeout: 1_000, commandTimeout: 2_000 };
const INVALIDATIONS = "__redis__:invalidate";

/** Redis over TCP (ioredis), with a near cache of versioned records when `nearCache` is given. */
export function createRedisStore(url: string, opts: { nearCache?: NearCacheConfig } = {}): RedisStore {
  // Commands issued in the same tick by concurrent requests share one write to the socket.
  const redis = new Redis(url, { ...CONNECTION, enableAutoPipelining: true });
  // Without a listener ioredis logs every failed reconnect; the failures surface on the commands instead.
  redis.on("error", () => {});
  // Optimistic until a connection is lost (the first commands queue while the first connect completes).
  let reachable = true;
  redis.on("ready", () => (reachable = true));
  redis.on("close", () => (reachable = false));

  // EVALSHA first (no script text on the wire per call), EVAL when the server has not cached it yet.
  const shas = new Map<string, string>();
  async function run(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    let sha = shas.get(script);
    if (!sha) shas.set(script, (sha = createHash("sha1").update(script).digest("hex")));
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes("NOSCRIPT")) throw err;
      return redis.eval(script, keys.length, ...keys, ...args);
    }
  }

  const near = opts.nearCache ? trackInvalidations(url, opts.nearCache) : null;
  const cached = (key: string) => near !== null && key.startsWith(near.prefix);
  /** A write of a cached key: this instance's copy goes once the store has answered (the store's own invalidation follows). */
  async function writing<T>(key: string, write: Promise<T>): Promise<T> {
    if (!cached(key)) return write;
    try {
      return await write;
    } finally {
      near!.cache.invalidate(key);
    }
  }
  async function readVersioned(key: string): Promise<Versioned | null> {
    const [version, value] = await redis.hmget(key, "v", "d");
    return versionedOf(version, value);
  }
  async function readVersionedMany(keys: string[]): Promise<(Versioned | null)[]> {
    return (await readVersionedExpiring(keys, false)).map((r) => r.record);
  }
  /** Records (and, for the near cache, when Redis will expire them: PTTL in the same round trip). */
  async function readVersionedExpiring(keys: string[], withExpiry = true): Promise<Loaded[]> {
    if (keys.length === 0) return [];
    const sent = Date.now();
    // single commands, not a pipeline of their own: auto-pipelining sends them in order with everything
    // else issued in this turn (a write's owner claim, other requests' commands), in one socket write
    const replies = await Promise.all(keys.map((key) => Promise.all([redis.hmget(key, "v", "d"), withExpiry ? redis.pttl(key) : -1])));
    return replies.map(([[version, value], ttl]) => ({
      record: versionedOf(version, value),
      // measured from before the request went out: the copy expires no later than the record
      expiresAt: ttl >= 0 ? sent + ttl : null,
    }));
  }

  return {
    kind: "redis",
    nearCacheStats: () => near?.cache.stats() ?? null,
    available: () => reachable,
    async get(key) {
      return redis.get(key);
    },
    async set(key, value, opts) {
      await writing(key, opts?.ttlMs === undefined ? redis.set(key, value) : redis.set(key, value, "PX", opts.ttlMs));
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await writing(key, redis.set(key, value, "PX", ttlMs, "NX"))) === "OK";
    },
    async claim(key, value, ttlMs) {
      return String(await writing(key, run(CLAIM_LUA, [key], [value, ttlMs])));
    },
    async del(key) {
      return (await writing(key, redis.del(key))) > 0;
    },
    async ttlMs(key) {
      const ms = await redis.pttl(key);
      return ms < 0 ? null : ms;
    },
    async incrWindow(key, windowMs, by = 1) {
      if (!Number.isInteger(by) || by < 1) throw new RangeError(`by must be a positive integer, got ${by}`);
      return parseIncrWindowReply(await run(INCR_WINDOW_LUA, [key], [windowMs, by]));
    },
    getVersioned(key) {
      return cached(key) ? near!.reader().read(key, async () => (await readVersionedExpiring([key]))[0]!) : readVersioned(key);
    },
    getVersionedMany(keys) {
      return near && keys.every(cached) ? near.reader().readMany(keys, readVersionedExpiring) : readVersionedMany(keys);
    },
    async setVersioned(key, value, opts) {
      const refs = opts.indexes ?? [];
      const keys = [key, ...refs.flatMap((r) => indexKeys(r.index))];
      const args = [value, opts.ttlMs, opts.ifVersion ?? "", ...refs.flatMap((r) => [r.member, r.extend ? "1" : "0"])];
      return parseSetVersionedReply(await writing(key, run(SET_VERSIONED_LUA, keys, args)));
    },
    async delVersioned(key, opts) {
      const refs = opts?.indexes ?? [];
      const keys = [key, ...refs.flatMap((r) => indexKeys(r.index))];
      return parseDelVersionedReply(
        await writing(
          key,
          run(
            DEL_VERSIONED_LUA,
            keys,
            refs.map((r) => r.member),
          ),
        ),
      );
    },
    async indexRange(index, opts) {
      const [min, max] = lexBounds(opts.prefix, opts.after);
      return (await run(INDEX_RANGE_LUA, indexKeys(index), [min, max, opts.limit])) as string[];
    },
    async indexCount(index) {
      return Number(await run(INDEX_COUNT_LUA, indexKeys(index), []));
    },
    async claimLease(index, member, opts) {
      assertLeaseOpts(opts);
      return parseClaimLeaseReply(await run(CLAIM_LEASE_LUA, indexKeys(index), [member, opts.limit, opts.ttlMs]));
    },
    async releaseLease(index, member) {
      return Number(await run(RELEASE_LEASE_LUA, indexKeys(index), [member])) === 1;
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await Promise.all([redis.quit().catch(() => redis.disconnect()), near?.close()]);
    },
  };
}

/**
 * Redis's server-assisted client-side caching, broadcast mode: a connection of its own asks Redis to
 * tell it of every change to a key under `prefix` (writes from any client, expiry, eviction, flushes)
 * and listens for those invalidations. The cache is live only while that connection is registered and
 * subscribed; when it drops, every copy is forgotten until it is back (ioredis reconnects it). The
 * connection opens at the first cached read (a CLI command that reads no context never opens it).
 * Where Redis refuses CLIENT TRACKING (before 6.0, or a provider that disables it) the cache stays
 * off and every read goes to Redis.
 */
function trackInvalidations(url: string, cfg: NearCacheConfig) {
  const cache = new NearCache({ maxBytes: cfg.maxBytes, maxAgeMs: cfg.maxAgeMs ?? 1_000 });
  let feed: Redis | null = null;

  function listen(): Redis {
    const conn = new Redis(url, { ...CONNECTION, maxRetriesPerRequest: null, autoResubscribe: false, connectionName: cfg.connectionName ?? "orchestrator-near-cache" });
    conn.on("error", () => {});
    conn.on("ready", () => {
      void (async () => {
        try {
          // Invalidations go to this same connection, which then only listens.
          const id = await conn.client("ID");
          await conn.call("CLIENT", "TRACKING", "ON", "REDIRECT", String(id), "BCAST", "PREFIX", cfg.prefix);
          await conn.subscribe(INVALIDATIONS);
          cache.clear();
          cache.start();
        } catch (err) {
          // A refusal is final (Redis before 6.0, or a provider that disables CLIENT): stop asking. Anything else: the next connection retries.
          if (!(err instanceof ReplyError)) return;
          console.warn(`[kv] near cache off: Redis refused key tracking (${(err as Error).message}); every read goes to Redis.`);
          conn.disconnect();
        }
      })();
    });
    conn.on("close", () => cache.stop());
    conn.on("messageBuffer", (channel: Buffer, keys: Buffer[] | null) => {
      if (channel.toString() !== INVALIDATIONS) return;
      // null: the database was flushed
      if (keys === null) cache.clear();
      else for (const key of keys) cache.invalidate(key.toString());
    });
    return conn;
  }

  return {
    prefix: cfg.prefix,
    /** The cache, its feed opened if this is the first read. */
    reader(): NearCache {
      feed ??= listen();
      return cache;
    },
    /** The cache as it is: for writes and stats, which need no feed. */
    cache,
    async close() {
      cache.stop();
      if (!feed) return;
      // a feed still (re)connecting would hold QUIT in its queue for good (it retries forever)
      if (feed.status === "ready") await feed.quit().catch(() => feed?.disconnect());
      else feed.disconnect();
    },
  };
}
