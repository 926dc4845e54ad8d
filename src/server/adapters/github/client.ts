import { hash } from "node:crypto";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { KeyValueStore } from "@/server/adapters/kv/types";

/**
 * The one way the server talks to GitHub's REST API: Octokit with the throttling plugin (waits out
 * `retry-after` and `x-ratelimit-reset`, up to `maxRateLimitWaitSeconds`, twice at most), the retry
 * plugin (5xx and network errors, with backoff) and conditional GETs: ETags and bodies are kept in
 * the shared store, a 304 (which GitHub does not count against the rate limit) is answered from it.
 */
const GitHubOctokit = Octokit.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof GitHubOctokit>;

export interface GitHubClientOptions {
  token?: string;
  /** GITHUB_API_URL (GitHub Enterprise, or a local fake in tests). */
  baseUrl?: string;
  /** Where ETags and bodies are cached; without it every GET is unconditional. */
  kv?: KeyValueStore;
  /** Longest wait for a rate limit before giving up (seconds). */
  maxRateLimitWaitSeconds?: number;
  /** Retries for 5xx and network errors. */
  retries?: number;
}

/** Cached bodies beyond this size are not kept (blobs, large trees): they would crowd the store. */
const MAX_CACHED_CHARS = 256_000;
const ETAG_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_RATE_LIMIT_RETRIES = 2;

interface CachedResponse {
  etag: string;
  data: unknown;
  headers: Record<string, string>;
}

/** Cache keys include a hash of the token: what one token may read is never served to another. */
function cacheKey(token: string | undefined, url: string): string {
  const who = hash("sha256", token ?? "anonymous", "hex").slice(0, 16);
  return `gh:etag:${who}:${hash("sha256", url, "hex")}`;
}

function headerRecord(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["link", "content-type", "last-modified"]) {
    const v = headers[name];
    if (typeof v === "string") out[name] = v;
  }
  return out;
}

export function createGitHubClient(opts: GitHubClientOptions): GitHubClient {
  const maxWait = opts.maxRateLimitWaitSeconds ?? 60;
  const wantRetry = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, octokit: { log: { warn: (m: string) => void } }, retryCount: number) => {
    const retrying = retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= maxWait;
    octokit.log.warn(`GitHub ${kind} rate limit on ${options.method} ${options.url}: ${retrying ? `retrying in ${retryAfter} s` : "giving up"}`);
    return retrying;
  };
  const octokit = new GitHubOctokit({
    auth: opts.token,
    baseUrl: (opts.baseUrl ?? "https://api.github.com").replace(/\/$/, ""),
    userAgent: "ops-orchestrator",
    // Octokit logs every non-2xx answer as an error; a 304 is the cache working, and callers map the rest.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => console.warn(`[github] ${m}`), error: (m: string) => void (/ - 304 with id /.test(m) || console.warn(`[github] ${m}`)) },
    throttle: { onRateLimit: wantRetry("primary"), onSecondaryRateLimit: wantRetry("secondary") },
    retry: { retries: opts.retries ?? 2 },
  });
  if (opts.kv) withConditionalRequests(octokit, opts.kv, opts.token);
  return octokit;
}

function withConditionalRequests(octokit: GitHubClient, kv: KeyValueStore, token: string | undefined) {
  octokit.hook.wrap("request", async (request, options) => {
    if (options.method !== "GET") return request(options);
    const endpoint = octokit.request.endpoint(options);
    // Blobs are immutable and read once per index run: caching them would only fill the store.
    if (/\/git\/blobs\//.test(endpoint.url)) return request(options);
    const key = cacheKey(token, `${endpoint.url} ${String(endpoint.headers.accept ?? "")}`);
    const cached = await readCache(kv, key);
    if (cached) options.headers = { ...options.headers, "if-none-match": cached.etag };
    try {
      const response = await request(options);
      const etag = response.headers.etag;
      if (etag) await writeCache(kv, key, { etag, data: response.data, headers: headerRecord(response.headers) });
      return response;
    } catch (err) {
      if (cached && githubStatus(err) === 304) {
        return { status: 200, url: endpoint.url, headers: { ...cached.headers, etag: cached.etag, "x-cache": "etag-304" }, data: cached.data } as never;
      }
      throw err;
    }
  });
}

async function readCache(kv: KeyValueStore, key: string): Promise<CachedResponse | null> {
  try {
    const raw = await kv.get(key);
    return raw ? (JSON.parse(raw) as CachedResponse) : null;
  } catch {
    return null;
  }
}

async function writeCache(kv: KeyValueStore, key: string, value: CachedResponse) {
  const text = JSON.stringify(value);
  if (text.length > MAX_CACHED_CHARS) return;
  try {
    await kv.set(key, text, { ttlMs: ETAG_TTL_MS });
  } catch (err) {
    // The cache saves rate limit; losing it only costs a full request next time.
    console.warn(`[github] ETag cache not written: ${(err as Error).message}`);
  }
}

/** "owner/name" → its parts; refuses anything else. */
export function splitRepo(id: string): { owner: string; repo: string } {
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(id);
  if (!m) throw new Error(`Not an owner/name repository id: ${id}`);
  return { owner: m[1]!, repo: m[2]! };
}

/** The HTTP status of an Octokit request error, or null for anything else (network, bugs). */
export function githubStatus(err: unknown): number | null {
  if (err && typeof err === "object" && "status" in err && typeof err.status === "number" && err.status > 0) return err.status;
  return null;
}
