import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getDeps } from "@/server/deps";
import { AppError } from "@/server/core/errors";
import { createContext } from "@/server/trpc/context";
import { clientIp, requestIdOf, withHeaders } from "./http";
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

/** The dashboard's tRPC endpoint (/api/trpc): the caller is the next-auth session user. */
export async function handleTrpc(req: Request): Promise<Response> {
  const deps = await getDeps();
  const requestId = requestIdOf(req);
  const csrfOk = sameOrigin(req);
  const actor = csrfOk ? await sessionActor() : null;
  const ctx = createContext({
    deps,
    requestId,
    surface: "trpc",
    ip: clientIp(req, deps.env),
    actor,
    authError: csrfOk ? null : new AppError("FORBIDDEN", "Cross-site request refused: the Origin header must be this dashboard."),
  });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => ctx });
  return withHeaders(res, ctx.resHeaders, new Headers({ "x-request-id": requestId }));
}
