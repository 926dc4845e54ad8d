import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { AppError, errorBody, statusOf, type ErrorCode } from "@/server/core/errors";
import type { Env } from "@/env";
import { actorFields, type Surface } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import type { Refusal } from "@/server/trpc/context";
import { anonymousRefusalBudget } from "@/server/trpc/middleware/rate-limit";

/** What every HTTP surface (REST, MCP, webhook, cron) shares: request ids, client IPs, CORS, error bodies. */
/**
 * The request's id, minted here on every surface. A well-formed `x-request-id` the client sent is kept
 * as its prefix (`<sent>.<random>`), so a client can find its own calls in the audit log, but it can
 * never give its rows the id of another request's.
 */
export function requestIdOf(req: Request): string {
  const minted = randomUUID();
  const sent = req.headers.get("x-request-id");
  return sent && /^[\w.:-]{8,64}$/.test(sent) ? `${sent}.${minted.slice(0, 13)}` : minted;
}

/**
 * The client IP, only from the header a trusted proxy sets (TRUSTED_IP_HEADER); never guessed. In a list
 * (X-Forwarded-For) the right-most entry is the one our proxy appended, the address it saw; every entry
 * left of it came from the client and can say anything. Anything but an IP address counts as none.
 */
export function clientIp(req: Request, env: Env): string | null {
  if (!env.TRUSTED_IP_HEADER) return null;
  const last = req.headers.get(env.TRUSTED_IP_HEADER)?.split(",").at(-1)?.trim() ?? "";
  return isIP(last) ? last : null;
}

/**
 * Answers smaller than this go out uncompressed. Next's gzip (the `compression` middleware) skips bodies
 * under 1 KB only when it knows their length, and Next drops a route handler's Content-Length, so it
 * gzipped every answer: ~0.5 ms of CPU per call for a few hundred bytes saved. `no-transform` is the
 * middleware's (and any proxy's) sign to leave a body as it is; it says nothing about caching.
 */
export const COMPRESS_FROM_BYTES = 1_024;

/** A JSON answer (its text already made), marked to go out uncompressed when small. */
export function jsonAnswer(text: string, status: number, headers: Headers): Response {
  headers.set("content-type", "application/json");
  if (Buffer.byteLength(text) < COMPRESS_FROM_BYTES) headers.set("cache-control", "no-transform");
  return new Response(text, { status, headers });
}

export function jsonError(code: ErrorCode, message: string, requestId: string, opts: { details?: unknown; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(opts.headers);
  headers.set("x-request-id", requestId);
  return jsonAnswer(JSON.stringify(errorBody(code, message, requestId, opts.details)), statusOf(code), headers);
}

export function appErrorResponse(err: AppError, requestId: string): Response {
  return jsonError(err.code, err.message, requestId, { details: err.details, headers: err.headers });
}

const ALLOW_HEADERS = "authorization, content-type, x-api-key, x-client-id, x-request-id, idempotency-key, mcp-session-id, mcp-protocol-version, last-event-id, if-none-match";
const EXPOSE_HEADERS = "x-request-id, retry-after, ratelimit, ratelimit-policy, mcp-session-id, etag";

/** CORS for browsers calling /ai/* or /mcp from an allowed origin (DASHBOARD_ORIGIN); others get no CORS headers. */
export function corsHeaders(req: Request, env: Env, headers = new Headers()): Headers {
  const origin = req.headers.get("origin");
  if (origin && env.dashboardOrigins.includes(origin)) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-allow-credentials", "false");
    headers.set("access-control-expose-headers", EXPOSE_HEADERS);
  }
  headers.set("vary", "origin");
  return headers;
}

export function preflight(req: Request, env: Env, methods: string): Response {
  const origin = req.headers.get("origin");
  if (!origin || !env.dashboardOrigins.includes(origin)) {
    return jsonError("FORBIDDEN", `Origin ${origin ?? "(none)"} is not allowed; add it to DASHBOARD_ORIGIN.`, requestIdOf(req));
  }
  const headers = corsHeaders(req, env);
  headers.set("access-control-allow-methods", methods);
  headers.set("access-control-allow-headers", ALLOW_HEADERS);
  headers.set("access-control-max-age", "600");
  return new Response(null, { status: 204, headers });
}

/**
 * The response with these headers added: in place when its headers may be changed (a response made
 * here), else as a copy (a redirect's or a fetched response's headers are immutable). A copy wraps the
 * body in a new response, which cost every API call a second Response and Headers.
 */
export function withHeaders(res: Response, ...extra: Headers[]): Response {
  try {
    for (const h of extra) h.forEach((v, k) => res.headers.set(k, v));
    return res;
  } catch {
    const headers = new Headers(res.headers);
    for (const h of extra) h.forEach((v, k) => headers.set(k, v));
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}

/**
 * Longest request URL read (a GET's input travels in it). Node's HTTP server already refuses request
 * heads over 16 KB; this keeps the same bound wherever requests come from.
 */
export const MAX_URL_CHARS = 16_384;

export function assertUrlLength(req: Request): void {
  if (req.url.length > MAX_URL_CHARS) throw new AppError("PAYLOAD_TOO_LARGE", `Request URL over ${MAX_URL_CHARS} characters; send a large input in a POST body.`);
}

/** Reads a body up to `limit` bytes; 413 beyond it, whatever Content-Length claimed. */
export async function readBodyCapped(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("PAYLOAD_TOO_LARGE", `Request body over the ${limit}-byte limit.`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError("PAYLOAD_TOO_LARGE", `Request body over the ${limit}-byte limit.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The audit entry of a request refused before any procedure ran (auth, routing, body). */
export async function auditRejection(deps: Deps, e: { requestId: string; actor: Actor | null; action: string; error: AppError; ip: string | null; surface: Surface }) {
  const denied = e.error.code === "UNAUTHORIZED" || e.error.code === "FORBIDDEN";
  await auditRefusals(deps, { ...e, refusals: [{ action: e.action, resourceType: denied ? "auth" : "api", error: e.error }] });
}

const isDenial = (r: Refusal) => r.error.code === "UNAUTHORIZED" || r.error.code === "FORBIDDEN";

/**
 * The refusals of one request as ONE audit row, however many calls a batch held, so the cost of a
 * refused request is bounded. An unauthenticated caller's input is never stored (its size is), and its
 * refusals are audited only within the per-IP budget (anonymousRefusalBudget).
 */
export async function auditRefusals(deps: Deps, e: { requestId: string; actor: Actor | null; ip: string | null; surface: Surface; refusals: Refusal[] }) {
  if (e.refusals.length === 0) return;
  const base = { ...actorFields(e.actor), requestId: e.requestId, surface: e.surface, ip: e.ip };
  if (!e.actor) {
    const limit = deps.env.AUDIT_ANONYMOUS_REFUSALS_PER_MINUTE;
    const budget = await anonymousRefusalBudget(deps.kv, e.ip, limit);
    if (budget === "skip") return;
    if (budget === "notice") {
      const from = e.ip ? `from ${e.ip}` : "from callers whose IP is unknown (no TRUSTED_IP_HEADER)";
      await deps.audit.record({
        ...base,
        action: "audit.refusals_suppressed",
        resourceType: "audit",
        outcome: "denied",
        status: 429,
        detail: { limit, windowSeconds: 60, message: `Over ${limit} unauthenticated refusals a minute ${from}: further ones this minute are refused without an audit row.` },
      });
      return;
    }
  }
  const [first] = e.refusals as [Refusal, ...Refusal[]];
  const one = e.refusals.length === 1;
  const input = one ? first.input : { calls: e.refusals.map((r) => ({ action: r.action, input: r.input ?? null })) };
  await deps.audit.record({
    ...base,
    action: one ? first.action : `${e.surface}.batch`,
    resourceType: one ? first.resourceType : "api",
    outcome: e.refusals.every(isDenial) ? "denied" : "failure",
    status: first.error.status,
    input: e.actor ? input : undefined,
    detail: {
      code: first.error.code,
      message: first.error.message,
      ...(one ? {} : { calls: e.refusals.length, refused: e.refusals.slice(0, 20).map((r) => ({ action: r.action, code: r.error.code })) }),
      ...(!e.actor && input != null ? { inputChars: JSON.stringify(input)?.length ?? 0 } : {}),
    },
  });
}

/** Unknown routes under /api answer JSON, like everything else. */
export function notFound(req: Request): Response {
  return jsonError("NOT_FOUND", `No route at ${new URL(req.url).pathname}.`, requestIdOf(req));
}
