import { createMemoryStore } from "./memory";
import { createRedisStore, type NearCacheConfig } from "./redis";
import { createUpstashStore } from "./upstash";
import type { KeyValueStore } from "./types";

export type { KeyValueStore, KeyValueStoreKind } from "./types";
export { createMemoryStore, createRedisStore, createUpstashStore };

/**
 * Upstash when its URL and token are both set, else Redis when a URL is set, else in-process memory.
 * `nearCache` applies to Redis over TCP only: Upstash's REST API cannot push invalidations, and the
 * memory store is in-process already.
 */
export function createKeyValueStore(cfg: { redisUrl?: string; upstashUrl?: string; upstashToken?: string; nearCache?: NearCacheConfig }): KeyValueStore {
  if (cfg.upstashUrl && cfg.upstashToken) return createUpstashStore({ url: cfg.upstashUrl, token: cfg.upstashToken });
  if (cfg.redisUrl) return createRedisStore(cfg.redisUrl, { nearCache: cfg.nearCache });
  return createMemoryStore();
}
