import { setTimeout as sleep } from "node:timers/promises";
import { readAdminLink } from "@/server/adapters/db/admin-link";

/**
 * How `cursor sync` and `cursor listen` reach the server: ORCHESTRATOR_URL, else the app running on
 * this machine's embedded database (its loopback URL from the admin link), with ORCHESTRATOR_API_KEY.
 * Failures become ApiFailure with an exit code of their own, so scripts can tell them apart.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unauthorized: 3, forbidden: 4, unreachable: 5, rateLimited: 6 } as const;

export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Seconds the server asked us to wait (429). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
  get unreachable() {
    return this.exitCode === EXIT.unreachable;
  }
}

export interface Server {
  url: string;
  key: string;
}

export function serverFrom(env: { ORCHESTRATOR_URL?: string; ORCHESTRATOR_API_KEY?: string; dataDir: string }): Server {
  const key = env.ORCHESTRATOR_API_KEY;
  if (!key) throw new ApiFailure("Set ORCHESTRATOR_API_KEY to a key with cursor:write and context:read (npx orchestrator keys create --client cursor --scopes cursor:write,context:read).", EXIT.usage);
  const url = env.ORCHESTRATOR_URL ?? readAdminLink(env.dataDir)?.appUrl;
  if (!url) throw new ApiFailure("Set ORCHESTRATOR_URL (e.g. http://localhost:3000), or start the app on this machine.", EXIT.usage);
  return { url: url.replace(/\/$/, ""), key };
}

/** The failure of an answer that is not 2xx, with the server's own message. */
export async function failureOf(res: Response, what: string): Promise<ApiFailure> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  const reason = body?.error?.message ?? `HTTP ${res.status}`;
  if (res.status === 401) return new ApiFailure(`${what}: the server refused the API key (401): ${reason} Check ORCHESTRATOR_API_KEY.`, EXIT.unauthorized);
  if (res.status === 403) return new ApiFailure(`${what}: not allowed (403): ${reason}`, EXIT.forbidden);
  if (res.status === 429) return new ApiFailure(`${what}: rate limited (429): ${reason}`, EXIT.rateLimited, Math.max(1, Number(res.headers.get("retry-after")) || 1));
  return new ApiFailure(`${what}: the server answered ${res.status}: ${reason}`, EXIT.failed);
}

export async function request(server: Server, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  const headers: Record<string, string> = { "x-api-key": server.key, ...opts.headers };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  try {
    return await fetch(`${server.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal ?? AbortSignal.timeout(30_000) });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ApiFailure(`Cannot reach ${server.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}.`, EXIT.unreachable);
  }
}

/** A JSON call; a 429 is waited out (Retry-After) and retried up to `rateLimitRetries` times. */
export async function callJson<T>(server: Server, method: string, path: string, body?: unknown, opts: { rateLimitRetries?: number; log?: (line: string) => void } = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await request(server, method, path, { body });
    if (res.ok) return (await res.json()) as T;
    const failure = await failureOf(res, `${method} ${path}`);
    if (failure.retryAfterSeconds === null || attempt >= (opts.rateLimitRetries ?? 3)) throw failure;
    opts.log?.(`rate limited; waiting ${failure.retryAfterSeconds} s as the server asks`);
    await sleep(failure.retryAfterSeconds * 1000);
  }
}

/** Exponential backoff with jitter for reconnecting: 1 s, 2 s, 4 s … up to 30 s. */
export function backoffMs(attempt: number): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
  return base / 2 + Math.random() * (base / 2);
}
