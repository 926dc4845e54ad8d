import { randomUUID } from "node:crypto";
import { AppError, errorBody, statusOf, type ErrorCode } from "@/server/core/errors";
import type { Env } from "@/env";
import { actorFields, type Surface } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";

/** What every HTTP surface (REST, MCP, webhook, cron) shares: request ids, client IPs, CORS, error bodies. */
export function requestIdOf(req: Request): string {
  const sent = req.headers.get("x-request-id");
  return sent && /^[\w.:-]{8,128}$/.test(sent) ? sent : randomUUID();
}

/** The client IP, only from the header a trusted proxy sets (TRUSTED_IP_HEADER); never guessed. */
export function clientIp(req: Request, env: Env): string | null {
  if (!env.TRUSTED_IP_HEADER) return null;
  const value = req.headers.get(env.TRUSTED_IP_HEADER);
  return value ? value.split(",")[0]!.trim().slice(0, 64) || null : null;
}

export function jsonError(code: ErrorCode, message: string, requestId: string, opts: { details?: unknown; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(opts.headers);
  headers.set("content-type", "application/json");
  headers.set("x-request-id", requestId);
  return new Response(JSON.stringify(errorBody(code, message, requestId, opts.details)), { status: statusOf(code), headers });
}

export function appErrorResponse(err: AppError, requestId: string): Response {
  return jsonError(err.code, err.message, requestId, { details: err.details, headers: err.headers });
}

const ALLOW_HEADERS = "authorization, content-type, x-api-key, x-client-id, x-request-id, idempotency-key, mcp-session-id, mcp-protocol-version, last-event-id, if-none-match";
const EXPOSE_HEADERS = "x-request-id, retry-after, ratelimit, ratelimit-policy, mcp-session-id, etag";

/** CORS for browsers calling /ai/* or /mcp from an allowed origin (DASHBOARD_ORIGIN); others get no CORS headers. */
export function corsHeaders(req: Request, env: Env): Headers {
  const headers = new Headers();
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

export function withHeaders(res: Response, ...extra: Headers[]): Response {
  const headers = new Headers(res.headers);
  for (const h of extra) h.forEach((v, k) => headers.set(k, v));
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
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
  await deps.audit.record({
    ...actorFields(e.actor),
    action: e.action,
    resourceType: denied ? "auth" : "api",
    outcome: denied ? "denied" : "failure",
    status: e.error.status,
    requestId: e.requestId,
    surface: e.surface,
    ip: e.ip,
    detail: { code: e.error.code, message: e.error.message },
  });
}

/** Unknown routes under /api answer JSON, like everything else. */
export function notFound(req: Request): Response {
  return jsonError("NOT_FOUND", `No route at ${new URL(req.url).pathname}.`, requestIdOf(req));
}
