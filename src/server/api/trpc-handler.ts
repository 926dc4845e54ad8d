import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getDeps } from "@/server/deps";
import { AppError } from "@/server/core/errors";
import { createContext } from "@/server/trpc/context";
import type { Actor } from "@/server/core/auth/actor";
import type { Refusal } from "@/server/trpc/context";
import { appErrorResponse, assertUrlLength, auditRefusals, clientIp, readBodyCapped, requestIdOf, withHeaders } from "./http";
import { appRouter } from "./root";
import { sessionActor } from "./session";

/** A cookie-authenticated mutation must come from our own pages: the Origin must be this host. */
function sameOrigin(req: Request): boolean {
  if (req.method === "GET" || req.method === "HEAD") return true;
  const origin = req.headers.get("origin");
  if (!origin) return false;
  try {
    return new URL(origin).host === (req.headers.get("x-forwarded-host") ?? req.headers.get("host"));
  } catch {
    return false;
  }
}

const ENDPOINT = "/api/trpc";

/** Calls per batched request: the dashboard sends a page's queries together, far fewer than this. */
export const MAX_TRPC_BATCH = 20;

function callsIn(req: Request): number {
  const url = new URL(req.url);
  if (url.searchParams.get("batch") !== "1") return 1;
  return url.pathname.slice(url.pathname.indexOf(ENDPOINT) + ENDPOINT.length + 1).split(",").length;
}

/**
 * The request as tRPC gets it: without streamed batches (`trpc-accept: application/jsonl`, which the
 * dashboard never asks for), so every call has settled when the handler answers and the request's
 * refusals can be audited together; and bounded like /ai/* and /mcp (413 over MAX_BODY_BYTES or a 16 KB URL).
 */
async function bounded(req: Request, maxBodyBytes: number): Promise<Request> {
  assertUrlLength(req);
  const headers = new Headers(req.headers);
  headers.delete("trpc-accept");
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBodyCapped(req, maxBodyBytes);
  return new Request(req.url, { method: req.method, headers, body, signal: req.signal });
}

/** The dashboard's tRPC endpoint (/api/trpc): the caller is the next-auth session user. */
export function handleTrpc(req: Request): Promise<Response> {
  return serveTrpc(req, sessionActor);
}

/** The endpoint with the session lookup given (tests sign in without Next's request scope). */
export async function serveTrpc(req: Request, sessionOf: () => Promise<Actor | null>): Promise<Response> {
  const deps = await getDeps();
  const requestId = requestIdOf(req);
  const csrfOk = sameOrigin(req);
  const actor = csrfOk ? await sessionOf() : null;
  const ip = clientIp(req, deps.env);
  const refusals: Refusal[] = [];
  const ctx = createContext({
    deps,
    requestId,
    surface: "trpc",
    ip,
    actor,
    authError: csrfOk ? null : new AppError("FORBIDDEN", "Cross-site request refused: the Origin header must be this dashboard."),
    refusals,
  });
  const calls = callsIn(req);
  // tRPC refuses the batch itself (maxBatchSize) before any procedure runs; the refusal is audited here, once.
  if (calls > MAX_TRPC_BATCH) {
    refusals.push({ action: "trpc.batch", resourceType: "api", error: new AppError("BAD_REQUEST", `A batch may hold at most ${MAX_TRPC_BATCH} calls; this one holds ${calls}.`) });
  }
  let res: Response;
  try {
    res = await fetchRequestHandler({ endpoint: ENDPOINT, req: await bounded(req, deps.env.MAX_BODY_BYTES), router: appRouter, createContext: () => ctx, maxBatchSize: MAX_TRPC_BATCH });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    refusals.push({ action: "trpc", resourceType: "api", error: err });
    res = appErrorResponse(err, requestId);
  }
  await auditRefusals(deps, { requestId, actor, ip, surface: "trpc", refusals });
  return withHeaders(res, ctx.resHeaders, new Headers({ "x-request-id": requestId }));
}
