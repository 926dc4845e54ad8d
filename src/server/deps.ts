import { readFileSync } from "node:fs";
import path from "node:path";
import { env as loadEnv, type Env } from "@/env";
import { cloudwaysFromEnv, type CloudwaysClient } from "./adapters/cloudways";
import { openDatabase, type Database, type DatabaseConfig, type Db } from "./adapters/db";
import { createEmbedder } from "./adapters/embeddings";
import type { Embedder } from "./adapters/embeddings/types";
import { createEventBus, type EventBus } from "./adapters/events";
import { createGitHubClient, type GitHubClient } from "./adapters/github/client";
import { createKeyValueStore } from "./adapters/kv";
import { notifyChannelsFromEnv, type NotifyChannels } from "./adapters/notify";
import type { NearCacheConfig } from "./adapters/kv/redis";
import type { KeyValueStore } from "./adapters/kv/types";
import { createVectorStore } from "./adapters/vectors";
import type { VectorStore } from "./adapters/vectors/types";
import { wordpressFromEnv, type WordPressSite } from "./adapters/wordpress";
import { AuditLog } from "./core/audit/log";
import { ApiKeyCache } from "./core/auth/key-cache";
import { SnapshotCache } from "./core/snapshot";

/** The adapters, built once from the validated env. Features depend on this shape only. */
export interface Deps {
  env: Env;
  database: Database;
  db: Db;
  kv: KeyValueStore;
  /** Fan-out of live updates across instances (Postgres LISTEN/NOTIFY, or in-process). */
  events: EventBus;
  audit: AuditLog;
  /** Recently used API keys; cleared on every instance when a key changes. */
  apiKeyCache: ApiKeyCache;
  /** Aggregates computed once per short interval on this instance and shared by concurrent callers. */
  snapshots: SnapshotCache;
  /** Cloudways, when configured (CW_ACCESS_TOKEN, or CW_EMAIL + CW_API_KEY). */
  cloudways: CloudwaysClient | null;
  /** The configured WordPress sites (WP_REST_ENDPOINT, WP_SITES); empty when none. */
  wordpress: WordPressSite[];
  /** GitHub's REST API with rate-limit handling and ETag caching, when GITHUB_TOKEN is set. */
  github: GitHubClient | null;
  /** Embeddings (OPENAI_API_KEY) and where their vectors live (Pinecone, or pgvector); null when not configured. */
  embedder: Embedder | null;
  vectors: VectorStore | null;
  /** Notification channels (SLACK_WEBHOOK_URL, SMTP_URL, NOTIFY_WEBHOOK_URL); only the configured ones. */
  notify: NotifyChannels;
  startedAt: Date;
  version: string;
}

export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
})();

/** The key prefix of the shared context's records (features/context/store.ts builds its keys on it): the near-cached ones. */
export const CONTEXT_RECORD_PREFIX = "ctx:e:";

/** The key-value store's near cache: the shared context's records, CONTEXT_CACHE_MB of them (0: none). */
export function nearCacheOf(e: Env): NearCacheConfig | undefined {
  return e.CONTEXT_CACHE_MB > 0 ? { prefix: CONTEXT_RECORD_PREFIX, maxBytes: e.CONTEXT_CACHE_MB * 1024 * 1024 } : undefined;
}

export function databaseConfig(e: Env): DatabaseConfig {
  return e.databaseUrl ? { url: e.databaseUrl } : { dataDir: e.dataDir };
}

export async function createDeps(opts: { env: Env; database?: DatabaseConfig; kv?: KeyValueStore; events?: EventBus }): Promise<Deps> {
  const e = opts.env;
  const dbConfig = opts.database ?? databaseConfig(e);
  const database = await openDatabase(dbConfig);
  const events = opts.events ?? createEventBus({ databaseUrl: "url" in dbConfig ? dbConfig.url : undefined });
  const kv = opts.kv ?? createKeyValueStore({ redisUrl: e.REDIS_URL, upstashUrl: e.UPSTASH_REDIS_REST_URL, upstashToken: e.UPSTASH_REDIS_REST_TOKEN, nearCache: nearCacheOf(e) });
  const embedder = createEmbedder(e);
  const vectors = embedder ? await createVectorStore(e, database.prisma) : null;
  return {
    env: e,
    database,
    db: database.prisma,
    kv,
    events,
    audit: new AuditLog(database.prisma, database.sql),
    apiKeyCache: new ApiKeyCache(events),
    snapshots: new SnapshotCache(),
    cloudways: cloudwaysFromEnv(e),
    wordpress: wordpressFromEnv(e),
    github: e.GITHUB_TOKEN ? createGitHubClient({ token: e.GITHUB_TOKEN, baseUrl: e.GITHUB_API_URL, kv }) : null,
    embedder,
    vectors,
    notify: notifyChannelsFromEnv(e),
    startedAt: new Date(),
    version: VERSION,
  };
}

// One set per process, kept on globalThis: Next.js bundles each route separately, and dev reloads modules.
const holder = globalThis as unknown as { __ooDeps?: Promise<Deps> };

export function getDeps(): Promise<Deps> {
  holder.__ooDeps ??= createDeps({ env: loadEnv() }).catch((err) => {
    holder.__ooDeps = undefined;
    throw err;
  });
  return holder.__ooDeps;
}

/** For tests and the CLI: use these deps as the process's own. */
export function setDeps(deps: Deps) {
  holder.__ooDeps = Promise.resolve(deps);
}
