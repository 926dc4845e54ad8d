import { createHash } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import {
  DEL_VERSIONED_LUA,
  INCR_WINDOW_LUA,
  INDEX_COUNT_LUA,
  INDEX_RANGE_LUA,
  SET_VERSIONED_LUA,
  indexKeys,
  lexBounds,
  parseDelVersionedReply,
  parseIncrWindowReply,
  parseSetVersionedReply,
  versionedOf,
} from "./scripts";
import type { KeyValueStore } from "./types";

/** Redis over TCP (ioredis). `opts` override the defaults below. */
export function createRedisStore(url: string, opts?: RedisOptions): KeyValueStore {
  const redis = new Redis(url, {
    // Fail fast when Redis is down or hung: commands are queued while (re)connecting but rejected
    // after one failed reconnect or 2 s, whichever comes first; reconnection keeps going in the background.
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
    // Commands issued in the same tick by concurrent requests share one write to the socket.
    enableAutoPipelining: true,
    ...opts,
  });
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

  return {
    kind: "redis",
    available: () => reachable,
    async get(key) {
      return redis.get(key);
    },
    async set(key, value, opts) {
      if (opts?.ttlMs === undefined) await redis.set(key, value);
      else await redis.set(key, value, "PX", opts.ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await redis.set(key, value, "PX", ttlMs, "NX")) === "OK";
    },
    async del(key) {
      return (await redis.del(key)) > 0;
    },
    async ttlMs(key) {
      const ms = await redis.pttl(key);
      return ms < 0 ? null : ms;
    },
    async incrWindow(key, windowMs, by = 1) {
      if (!Number.isInteger(by) || by < 1) throw new RangeError(`by must be a positive integer, got ${by}`);
      return parseIncrWindowReply(await run(INCR_WINDOW_LUA, [key], [windowMs, by]));
    },
    async getVersioned(key) {
      const [version, value] = await redis.hmget(key, "v", "d");
      return versionedOf(version, value);
    },
    async getVersionedMany(keys) {
      if (keys.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hmget(key, "v", "d");
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, reply]) => {
        if (err) throw err;
        const [version, value] = reply as (string | null)[];
        return versionedOf(version, value);
      });
    },
    async setVersioned(key, value, opts) {
      const refs = opts.indexes ?? [];
      const keys = [key, ...refs.flatMap((r) => indexKeys(r.index))];
      const args = [value, opts.ttlMs, opts.ifVersion ?? "", ...refs.flatMap((r) => [r.member, r.extend ? "1" : "0"])];
      return parseSetVersionedReply(await run(SET_VERSIONED_LUA, keys, args));
    },
    async delVersioned(key, opts) {
      const refs = opts?.indexes ?? [];
      const keys = [key, ...refs.flatMap((r) => indexKeys(r.index))];
      return parseDelVersionedReply(await run(DEL_VERSIONED_LUA, keys, refs.map((r) => r.member)));
    },
    async indexRange(index, opts) {
      const [min, max] = lexBounds(opts.prefix, opts.after);
      return (await run(INDEX_RANGE_LUA, indexKeys(index), [min, max, opts.limit])) as string[];
    },
    async indexCount(index) {
      return Number(await run(INDEX_COUNT_LUA, indexKeys(index), []));
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
