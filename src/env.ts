import path from "node:path";
import { z } from "zod";
import { parseRateLimits } from "@/server/core/auth/permissions";

/**
 * Configuration, validated once. Every integration is optional: unset, its feature falls back to
 * the embedded default (PGlite, in-process store, local git, full-text search, dry-run executors).
 * Empty strings count as unset.
 */
const optional = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.url().optional());

/** Checked by the same parser the rate limiter uses, so a value that passes here (read=0 did) cannot fail on every call. */
const rateLimits = z
  .string()
  .superRefine((spec, ctx) => {
    try {
      parseRateLimits(spec);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `${(err as Error).message} (e.g. read=600,write=60,expensive=30)` });
    }
  })
  .optional();

export const envSchema = z.object({
  /** Set by Next.js and the test runner: development, test or production. */
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** A real PostgreSQL (postgres://…) instead of the embedded PGlite in DATA_DIR; behind a transaction pooler (PgBouncer, Supavisor) add ?pgbouncer=true. */
  DATABASE_URL: optionalUrl,
  /** Another name for DATABASE_URL (DATABASE_URL wins when both are set). */
  POSTGRES_URL: optionalUrl,
  /** Where the embedded database, the generated session secret and the local audit archive live (default .data). */
  DATA_DIR: optional,
  /** Redis over TCP (redis://…) for the shared store: context entries, sessions, rate limits, caches. Unset: an in-process store (one instance only). */
  REDIS_URL: optionalUrl,
  /** Upstash Redis over REST instead of REDIS_URL (serverless), with UPSTASH_REDIS_REST_TOKEN. */
  UPSTASH_REDIS_REST_URL: optionalUrl,
  /** Upstash's REST token. */
  UPSTASH_REDIS_REST_TOKEN: optional,
  /** Vectors in Pinecone (one namespace per repo), with PINECONE_INDEX; unset, pgvector in the app database when it has the extension. */
  PINECONE_API_KEY: optional,
  /** The Pinecone index to use. */
  PINECONE_INDEX: optional,
  /** Pinecone's control plane, where the index host is looked up (default https://api.pinecone.io). */
  PINECONE_API_URL: optionalUrl,
  /** The index's data-plane host (with or without https://); unset, it is looked up once through the control plane (describe_index). */
  PINECONE_INDEX_HOST: optional,
  /** Embeddings, summaries, the suggestions briefing: any OpenAI-compatible server (see OPENAI_BASE_URL). Unset: full-text search and extractive summaries. */
  OPENAI_API_KEY: optional,
  /** An OpenAI-compatible server (Ollama, vLLM, Azure, …) instead of api.openai.com. */
  OPENAI_BASE_URL: optionalUrl,
  /** Embedding model (default text-embedding-3-small; e.g. nomic-embed-text on Ollama). */
  OPENAI_EMBEDDING_MODEL: optional,
  /** Ask the model for vectors of this size (text-embedding-3 models can shorten); unset, learned from the first answer. */
  OPENAI_EMBEDDING_DIMENSIONS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().max(20_000).optional()),
  /** Chat model for file and folder summaries (default gpt-4o-mini). */
  OPENAI_CHAT_MODEL: optional,
  /** Read (and, with EXECUTORS=live, act on) the GITHUB_REPO repositories through GitHub's API; unset, the local git checkout is the repository. */
  GITHUB_TOKEN: optional,
  /** The repositories to read and index, owner/name, comma-separated. */
  GITHUB_REPO: optional,
  /** The secret of the GitHub webhook (X-Hub-Signature-256); unset, /api/github/webhook refuses every delivery. */
  GITHUB_WEBHOOK_SECRET: optional,
  /** GitHub REST base URL, for GitHub Enterprise (default https://api.github.com). */
  GITHUB_API_URL: optionalUrl,
  /** The local git checkout to index and read when GITHUB_TOKEN is unset (default: the working directory). */
  REPO_PATH: optional,
  /** "Sign in with GitHub" (an OAuth app), with GITHUB_CLIENT_SECRET. */
  GITHUB_CLIENT_ID: optional,
  /** The OAuth app's secret. */
  GITHUB_CLIENT_SECRET: optional,
  /** Cloudways: the account email, with CW_API_KEY (or CW_ACCESS_TOKEN). */
  CW_EMAIL: optional,
  /** Cloudways's API key. */
  CW_API_KEY: optional,
  /** Cloudways's API base URL (default https://api.cloudways.com/api/v1). */
  CW_API_URL: optionalUrl,
  /** A long-lived Cloudways access token, instead of CW_EMAIL + CW_API_KEY. */
  CW_ACCESS_TOKEN: optional,
  /** A WordPress site's root URL (its REST API under /wp-json); more sites in WP_SITES. */
  WP_REST_ENDPOINT: optionalUrl,
  /** The WordPress user of an application password, for Site Health. */
  WP_USER: optional,
  /** That user's application password. */
  WP_APP_PASSWORD: optional,
  /** More WordPress sites: `name=https://user:app-password@site,name2=https://site2` (credentials optional). */
  WP_SITES: optional,
  /** A MongoDB that mirrors the audit log, one document per event (audit lifecycle). */
  MONGO_URI: optional,
  /** A Slack incoming webhook: notifications to the team's channel. */
  SLACK_WEBHOOK_URL: optionalUrl,
  /** An SMTP server for email notifications (smtp://user:pass@host:587 or smtps://…). */
  SMTP_URL: optional,
  /** Browser origins allowed to call /ai/* and /mcp (CORS allowlist), comma-separated. */
  DASHBOARD_ORIGIN: optional,
  /** The app's public URL: servers[0] of the OpenAPI document, links in notifications, the CLI's server. */
  ORCHESTRATOR_URL: optionalUrl,
  /** Registered at start as an admin key of the client 'bootstrap', owned by the first admin (a new value revokes the old); the CLI sends it. */
  ORCHESTRATOR_API_KEY: optional,
  /** Default per-key limits per minute by kind of operation, e.g. read=600,write=60,expensive=30. */
  RATE_LIMITS: z.preprocess((v) => (v === "" ? undefined : v), rateLimits),
  /** The bearer token /api/cron/<job> requires (Vercel Cron sends it); unset, every cron call is refused. */
  CRON_SECRET: optional,
  /** Signs dashboard sessions; unset, one is generated into DATA_DIR (set it when running several instances). */
  NEXTAUTH_SECRET: optional,
  /** The dashboard URL next-auth builds its links from (default ORCHESTRATOR_URL). */
  NEXTAUTH_URL: optionalUrl,
  /** Header carrying the client IP, set only when a trusted proxy (Vercel, a load balancer) writes it. */
  TRUSTED_IP_HEADER: optional,
  /** Largest request body accepted on /ai/* and /mcp, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
  /** Longest time to live a shared-context entry may ask for, in seconds (the default TTL is 900). */
  CONTEXT_MAX_TTL_SECONDS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().default(86_400)),
  /** Megabytes per instance for its near cache of shared-context entries (Redis over TCP only); 0 turns it off. */
  CONTEXT_CACHE_MB: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().min(0).max(4_096).default(16)),
  /** 0 turns the probe job's schedule off (any other value: it runs every minute, on its cron schedule). */
  PROBE_INTERVAL_SECONDS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).default(60)),
  /** "allow" lets API-key callers of code search receive code text; by default they get paths, line ranges, summaries and scores only. */
  AI_RAW_CODE: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.enum(["allow", "deny"]).default("deny")),
  /** Longest a single connection probe may take before it counts as down, in milliseconds. */
  PROBE_TIMEOUT_MS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(100).max(60_000).default(5_000)),
  /** Seconds an IDE session (PUT /ai/cursor/session) stays listed after its last push or heartbeat. */
  CURSOR_SESSION_TTL_SECONDS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(60).max(86_400).default(900)),
  /** Seconds the shared context's changes are kept so a live stream (/ai/context/stream) can resume with Last-Event-ID. */
  CONTEXT_STREAM_RETENTION_SECONDS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(60).max(604_800).default(3_600)),
  /** Open /ai/context/stream connections allowed per API key, across instances. */
  CONTEXT_STREAM_MAX_PER_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(1_000).default(10)),
  /** "live" lets approved intents reach GitHub and Cloudways (with their credentials); anything else keeps every executor dry-run. */
  EXECUTORS: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.enum(["dry-run", "live"]).default("dry-run")),
  /** Refusals of unauthenticated requests audited per client IP per minute (one bucket for all when no trusted IP header); the rest are answered but not logged. */
  AUDIT_ANONYMOUS_REFUSALS_PER_MINUTE: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(100_000).default(120)),
  /** Longest wait for the model's daily briefing, in milliseconds; past it the rules' own text is the briefing. */
  SUGGESTIONS_SUMMARY_TIMEOUT_MS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(100).max(120_000).default(20_000)),
  /** "off": this process neither works the job queue nor sends schedule ticks (a separate `orchestrator worker` does); default on, except on Vercel. */
  JOBS_RUNNER: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.enum(["on", "off"]).optional()),
  /** Seconds between the job queue's upkeep runs (expiring overdue jobs into their retries). */
  JOBS_MAINTENANCE_SECONDS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(3_600).default(30)),
  /** The From address of notification emails (default orchestrator@<SMTP host>). */
  NOTIFY_EMAIL_FROM: optional,
  /** A generic webhook that receives every notification as signed JSON (X-Orchestrator-Signature-256). */
  NOTIFY_WEBHOOK_URL: optionalUrl,
  /** The HMAC-SHA256 key of NOTIFY_WEBHOOK_URL's signature; required with it. */
  NOTIFY_WEBHOOK_SECRET: optional,
  /** Failed probes within the flap window before "connection down" is sent. */
  NOTIFY_DOWN_AFTER: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(100).default(3)),
  /** Good probes after a "down" before "recovered" is sent. */
  NOTIFY_RECOVER_AFTER: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(100).default(3)),
  /** The flap window in minutes: probes counted over it, and at most one down and one recovered per connection within it. */
  NOTIFY_FLAP_WINDOW_MINUTES: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(1_440).default(15)),
  /** Tries of one notification delivery before it becomes a dead letter. */
  NOTIFY_MAX_ATTEMPTS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(50).default(8)),
  /** Signs audit manifests and checkpoints: `ed25519:<base64 32-byte seed>` or `hmac:<secret>`; unset, an HMAC key generated into DATA_DIR (one instance only: instances sharing a database must share this key). */
  AUDIT_SIGNING_KEY: optional,
  /** Keys AUDIT_SIGNING_KEY replaced, comma-separated, same format: manifests and checkpoints they signed still verify; they sign nothing new. */
  AUDIT_SIGNING_KEYS_PREVIOUS: optional,
  /** Where sealed audit segments go: `s3://bucket/prefix` or a folder (default DATA_DIR/audit-archive). */
  AUDIT_ARCHIVE_URL: optional,
  /** Endpoint of an S3-compatible service for AUDIT_ARCHIVE_URL (MinIO, R2, …; path-style); unset, AWS. Credentials: the AWS SDK's usual variables. */
  AUDIT_ARCHIVE_S3_ENDPOINT: optionalUrl,
  /** Region for AUDIT_ARCHIVE_URL (default us-east-1). */
  AUDIT_ARCHIVE_S3_REGION: optional,
  /** Days per sealed audit segment (windows aligned to the Unix epoch; default 7). */
  AUDIT_SEGMENT_DAYS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(366).default(7)),
  /** Days sealed and archived audit rows stay in the database before rotation drops them (default 90). */
  AUDIT_RETENTION_DAYS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(36_500).default(90)),
});

export type Env = z.infer<typeof envSchema> & {
  databaseUrl: string | undefined;
  dataDir: string;
  dashboardOrigins: string[];
  githubRepos: string[];
};

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  return {
    ...e,
    databaseUrl: e.DATABASE_URL ?? e.POSTGRES_URL,
    dataDir: path.resolve(e.DATA_DIR ?? ".data"),
    dashboardOrigins: (e.DASHBOARD_ORIGIN ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    githubRepos: (e.GITHUB_REPO ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

let cached: Env | undefined;
/** The process environment, validated on first use. */
export function env(): Env {
  return (cached ??= parseEnv(process.env));
}
