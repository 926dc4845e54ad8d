import { Redis, type RedisOptions } from "ioredis";
import { INCR_WINDOW_LUA, parseIncrWindowReply } from "./scripts";
import type { KeyValueStore } from "./types";

/** Redis over TCP (ioredis). `opts` override the defaults below. */
export function createRedisStore(url: string, opts?: RedisOptions): KeyValueStore {
  const redis = new Redis(url, {
    // Fail fast when Redis is down or hung: commands are queued while (re)connecting but rejected
    // after one failed reconnect or 2 s, whichever comes first; reconnection keeps going in the background.
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
    ...opts,
  });
  // Without a listener ioredis logs every failed reconnect; the failures surface on the commands instead.
  redis.on("error", () => {});

  return {
    kind: "redis",
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
    async incrWindow(key, windowMs) {
      return parseIncrWindowReply(await redis.eval(INCR_WINDOW_LUA, 1, key, windowMs));
    },
    async pushCapped(key, value, max) {
      if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
      const results = await redis.multi().lpush(key, value).ltrim(key, 0, max - 1).exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error("pushCapped: transaction aborted");
    },
    async range(key, start, stop) {
      return redis.lrange(key, start, stop);
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
