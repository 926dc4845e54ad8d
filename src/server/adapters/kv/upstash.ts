import { Redis } from "@upstash/redis";
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
  // EVALSHA first, EVAL when the server has not cached the script yet.
  const incrWindow = redis.createScript<unknown>(INCR_WINDOW_LUA);
  const setVersioned = redis.createScript<unknown>(SET_VERSIONED_LUA);
  const delVersioned = redis.createScript<unknown>(DEL_VERSIONED_LUA);
  const indexRange = redis.createScript<string[]>(INDEX_RANGE_LUA);
  const indexCount = redis.createScript<number>(INDEX_COUNT_LUA);
  const claimLease = redis.createScript<unknown>(CLAIM_LEASE_LUA);
  const claim = redis.createScript<string>(CLAIM_LUA);
  const releaseLease = redis.createScript<number>(RELEASE_LEASE_LUA);

  return {
    kind: "upstash",
    // Stateless HTTP: nothing tells us it is down short of a request failing.
    available: () => true,
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
    async claim(key, value, ttlMs) {
      return String(await claim.exec([key], [value, String(ttlMs)]));
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
      return parseIncrWindowReply(await incrWindow.exec([key], [String(windowMs), String(by)]));
    },
    async getVersioned(key) {
      return versionOfReply(await redis.hmget(key, "v", "d"));
    },
    async getVersionedMany(keys) {
      if (keys.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hmget(key, "v", "d");
      return (await pipeline.exec()).map(versionOfReply);
    },
    async setVersioned(key, value, opts) {
      const refs = opts.indexes ?? [];
      const keys = [key, ...refs.flatMap((r) => indexKeys(r.index))];
      const args = [value, String(opts.ttlMs), opts.ifVersion === undefined ? "" : String(opts.ifVersion), ...refs.flatMap((r) => [r.member, r.extend ? "1" : "0"])];
      return parseSetVersionedReply(await setVersioned.exec(keys, args));
    },
    async delVersioned(key, opts) {
      const refs = opts?.indexes ?? [];
      const keys = [key, ...refs.flatMap((r) => indexKeys(r.index))];
      return parseDelVersionedReply(
        await delVersioned.exec(
          keys,
          refs.map((r) => r.member),
        ),
      );
    },
    async indexRange(index, opts) {
      const [min, max] = lexBounds(opts.prefix, opts.after);
      return indexRange.exec(indexKeys(index), [min, max, String(opts.limit)]);
    },
    async indexCount(index) {
      return Number(await indexCount.exec(indexKeys(index), []));
    },
    async claimLease(index, member, opts) {
      assertLeaseOpts(opts);
      return parseClaimLeaseReply(await claimLease.exec(indexKeys(index), [member, String(opts.limit), String(opts.ttlMs)]));
    },
    async releaseLease(index, member) {
      return Number(await releaseLease.exec(indexKeys(index), [member])) === 1;
    },
    async ping() {
      await redis.ping();
    },
    // Stateless HTTP: nothing to release.
    async close() {},
  };
}

/** HMGET key v d without deserialization: the raw [version, value] pair. */
function versionOfReply(reply: unknown) {
  const [version, value] = Array.isArray(reply) ? (reply as unknown[]) : [null, null];
  return versionedOf(version, value);
}
