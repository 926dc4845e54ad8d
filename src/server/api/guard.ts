import { TRPCError } from "@trpc/server";
import type { Surface } from "@/server/core/audit/log";
import { can, type Actor } from "@/server/core/auth/actor";
import { readCredential } from "@/server/core/auth/keys";
import type { OperationKind, Permission } from "@/server/core/auth/permissions";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import { AppError } from "@/server/core/errors";
import { getDeps, type Deps } from "@/server/deps";
import { reportedAppError } from "@/server/trpc/init";
import { checkRateLimit, limitsFor } from "@/server/trpc/middleware/rate-limit";
import { appErrorResponse, auditRejection, clientIp, corsHeaders, jsonError, preflight, requestIdOf, withHeaders } from "./http";

/**
 * The one guard of every route outside tRPC (REST dispatch, MCP, maps, metrics, webhook, admin link,
 * cron): it decides who calls, checks the permission from the permission table, rate-limits, audits
 * the refusal, and maps ANY error — an AppError, a TRPCError, or one nobody expected (the database
 * down during the key lookup) — to the one body `{ error: { code, message, requestId } }` with its
 * status. A route then reads like a procedure: its rule and its handler.
 */
export interface RouteRule {
  /** The audit action of a refusal, e.g. "GET /api/metrics"; the handler may refine it (`g.action`). */
  action: string;
  surface: Surface;
  /**
   * Who may call before the handler runs: an API key, an API key or a dashboard session, anyone
   * ("none": the handler proves the caller itself, e.g. a signature or a token, or calls `g.authenticate()`).
   */
  caller: "api_key" | "api_key_or_session" | "none";
  permission?: Permission;
  /** Rate-limited per caller as this kind of operation. */
  rateLimit?: OperationKind;
  /** Refusals written to the audit log: all (default), 401/403 only, or none (an unsigned caller must not fill the database). */
  auditRefusals?: "all" | "denials" | "none";
  /** Audit 429s too (default); off where the limit exists to bound the audit rows of failures. */
  auditRateLimited?: boolean;
  /** Methods the route answers; others get 405 before anything else (no audit: a protocol probe is not a refusal). */
  methods?: readonly string[];
  /** Answer CORS preflights and add CORS headers for DASHBOARD_ORIGIN. */
  cors?: boolean;
  /** Refuse a browser Origin that is not allowed with 403 (DNS rebinding; the MCP transport requires it). */
  checkOrigin?: boolean;
  /** Sent with a 401, e.g. Bearer realm for MCP clients. */
  wwwAuthenticate?: string;
}

export interface Guarded {
  req: Request;
  deps: Deps;
  requestId: string;
  ip: string | null;
  actor: Actor | null;
  /** The audit action, refined once the handler knows what was asked (REST: the procedure path). */
  action: string;
  /** Response headers so far (request id, CORS, rate limit); the guard adds them to whatever the handler answers. */
  headers: Headers;
  /** Resolves the API key caller now (for routes whose operation decides whether one is needed). */
  authenticate(): Promise<Actor>;
}

export function guardRoute<A extends unknown[]>(rule: RouteRule, handler: (g: Guarded, ...args: A) => Promise<Response>): (req: Request, ...args: A) => Promise<Response> {
  return async (req, ...args) => {
    const requestId = requestIdOf(req);
    const headers = new Headers({ "x-request-id": requestId });
    let g: Guarded | null = null;
    try {
      const deps = await getDeps();
      if (rule.cors) {
        if (req.method === "OPTIONS") return preflight(req, deps.env, [...(rule.methods ?? ["GET", "POST", "PUT", "PATCH", "DELETE"]), "OPTIONS"].join(", "));
        corsHeaders(req, deps.env, headers);
      }
      if (rule.methods && !rule.methods.includes(req.method)) {
        const allow = [...rule.methods, ...(rule.cors ? ["OPTIONS"] : [])].join(", ");
        return jsonError("METHOD_NOT_ALLOWED", `${req.method} is not allowed here; use ${allow}.`, requestId, { headers: withAll(headers, { allow }) });
      }
      const guarded: Guarded = {
        req,
        deps,
        requestId,
        ip: clientIp(req, deps.env),
        actor: null,
        action: rule.action,
        headers,
        authenticate: async () => (guarded.actor = await authenticateApiKey(deps.db, readCredential(req.headers), req.headers.get("x-client-id"), { cache: deps.apiKeyCache })),
      };
      g = guarded;
      if (rule.checkOrigin) refuseForeignOrigin(req, deps);
      if (rule.caller === "api_key") await guarded.authenticate();
      if (rule.caller === "api_key_or_session") await sessionOrKey(guarded);
      const actor = guarded.actor;
      if (actor && rule.rateLimit) await checkRateLimit(deps.kv, actor, rule.rateLimit, limitsFor(actor, deps.env.RATE_LIMITS)[rule.rateLimit], headers);
      if (actor && rule.permission && !can(actor, rule.permission)) {
        throw new AppError("FORBIDDEN", `${actor.type === "api_key" ? "This API key lacks" : "Your role lacks"} the "${rule.permission}" permission.`);
      }
      return withHeaders(await handler(guarded, ...args), headers);
    } catch (err) {
      const error = appErrorFor(err, requestId);
      if (g) await auditRefusal(rule, g, error);
      const extra: Record<string, string> = error.code === "UNAUTHORIZED" && rule.wwwAuthenticate ? { "www-authenticate": rule.wwwAuthenticate } : {};
      return withHeaders(appErrorResponse(error, requestId), withAll(headers, extra));
    }
  };
}

/** Any error as the AppError the caller sees: its own, a tRPC one mapped by the one table, anything else an internal error (logged with the request id). */
export function appErrorFor(err: unknown, requestId: string): AppError {
  if (err instanceof AppError) {
    if (err.status >= 500) console.error(`[${requestId}]`, err);
    return err;
  }
  if (err instanceof TRPCError) return reportedAppError(err, requestId);
  console.error(`[${requestId}] unexpected error`, err);
  if (isDatabaseOutage(err)) return new AppError("UNAVAILABLE", "The database did not answer; retry shortly.", undefined, { "retry-after": "5" });
  return new AppError("INTERNAL", "Internal error");
}

/** Prisma's codes for a database it cannot reach, that timed out connecting, or that closed the connection: worth a retry (503), not a bug (500). */
const OUTAGE_CODES = new Set(["P1001", "P1002", "P1017"]);
function isDatabaseOutage(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && OUTAGE_CODES.has(String(err.code));
}

function withAll(headers: Headers, extra: Record<string, string>): Headers {
  const out = new Headers(headers);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  return out;
}

/**
 * Origins a browser may call from: DASHBOARD_ORIGIN and ORCHESTRATOR_URL's own. Never the request's
 * own Host: under DNS rebinding the attacker's page and the Host header name the same origin.
 */
function refuseForeignOrigin(req: Request, deps: Deps) {
  const origin = req.headers.get("origin");
  if (!origin) return; // not a browser (or a same-origin GET, which never carries a body here)
  const own = deps.env.ORCHESTRATOR_URL ? new URL(deps.env.ORCHESTRATOR_URL).origin : null;
  if (origin !== own && !deps.env.dashboardOrigins.includes(origin)) {
    throw new AppError("FORBIDDEN", `Origin ${origin.slice(0, 200)} is not allowed; add it to DASHBOARD_ORIGIN.`);
  }
}

async function sessionOrKey(g: Guarded) {
  if (readCredential(g.req.headers)) {
    await g.authenticate();
    return;
  }
  const { sessionActor } = await import("./session");
  g.actor = await sessionActor().catch(() => null);
  if (!g.actor) throw new AppError("UNAUTHORIZED", "Sign in, or send an API key.");
}

/** Writes the refusal's audit entry; an audit store that is down too must not turn the answer into a crash. */
async function auditRefusal(rule: RouteRule, g: Guarded, error: AppError) {
  const which = rule.auditRefusals ?? "all";
  if (error.code === "RATE_LIMITED" && rule.auditRateLimited === false) return;
  if (which === "none" || (which === "denials" && error.status !== 401 && error.status !== 403)) {
    if (which === "none") console.warn(`[${rule.action}] refused: ${error.status} ${error.message}`);
    return;
  }
  try {
    await auditRejection(g.deps, { requestId: g.requestId, actor: g.actor, action: g.action.slice(0, 200), error, ip: g.ip, surface: rule.surface });
  } catch (err) {
    console.error(`[${g.requestId}] the refusal could not be audited`, err);
  }
}
