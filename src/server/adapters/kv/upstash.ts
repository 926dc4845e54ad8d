import { Redis } from "@upstash/redis";
import { INCR_WINDOW_LUA, parseIncrWindowReply } from "./scripts";
import type { KeyValueStore } from "./types";

const REQUEST_TIMEOUT_MS = 5_000;

/** Upstash Redis over its REST API. */
export function createUpstashStore(cfg: { url: string; token: string }): KeyValueStore {
  const redis = new Redis({
    url: cfg.url,
    token: cfg.token,
    // Values are opaque strings: no JSON parsing on the way back, so "007" or "true" round-trip exactly.
    automaticDeserialization: false,
    enableTelemetry: false,
    // Default is 5 retries with exponential backoff (~4 s); one quick retry covers a dropped socket.
    retry: { retries: 1, backoff: () => 100 },
    // A function so each request gets a fresh timer; a server that accepts but never answers still fails.
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

  return {
    kind: "upstash",
    async get(key) {
      return redis.get<string>(key);
    },
    async set(key, value, opts) {
      if (opts?.ttlMs === undefined) await redis.set(key, value);
      else await redis.set(key, value, { px: opts.ttlMs });
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await redis.set(key, value, { nx: true, px: ttlMs })) === "OK";
    },
    async del(key) {
      return (await redis.del(key)) > 0;
    },
    async ttlMs(key) {
      const ms = await redis.pttl(key);
      return ms < 0 ? null : ms;
    },
    async incrWindow(key, windowMs) {
      return parseIncrWindowReply(await redis.eval(INCR_WINDOW_LUA, [key], [windowMs]));
    },
    async pushCapped(key, value, max) {
      if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
      await redis.multi().lpush(key, value).ltrim(key, 0, max - 1).exec();
    },
    async range(key, start, stop) {
      return redis.lrange<string>(key, start, stop);
    },
    async ping() {
      await redis.ping();
    },
    // Stateless HTTP: nothing to release.
    async close() {},
  };
}
