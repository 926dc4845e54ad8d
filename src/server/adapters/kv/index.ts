import { createMemoryStore } from "./memory";
import { createRedisStore } from "./redis";
import { createUpstashStore } from "./upstash";
import type { KeyValueStore } from "./types";

export type { KeyValueStore, KeyValueStoreKind } from "./types";
export { createMemoryStore, createRedisStore, createUpstashStore };

/** Upstash when its URL and token are both set, else Redis when a URL is set, else in-process memory. */
export function createKeyValueStore(cfg: { redisUrl?: string; upstashUrl?: string; upstashToken?: string }): KeyValueStore {
  if (cfg.upstashUrl && cfg.upstashToken) return createUpstashStore({ url: cfg.upstashUrl, token: cfg.upstashToken });
  if (cfg.redisUrl) return createRedisStore(cfg.redisUrl);
  return createMemoryStore();
}
