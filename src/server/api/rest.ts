import { hash } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { env } from "@/env";
import { AppError, ERROR_TABLE } from "@/server/core/errors";
import { VERSION } from "@/server/deps";
import { createContext } from "@/server/trpc/context";
import { reportedAppError } from "@/server/trpc/init";
import { guardRoute } from "./guard";
import { assertUrlLength, jsonAnswer, jsonError, readBodyCapped } from "./http";
import { callOperation, effectOf, matchOperation, operations, restInput } from "./operations";
import { appRouter } from "./root";

/** REST for GPT and scripts under /ai/*, generated from the procedures' OpenAPI meta (trpc-to-openapi). */
export const REST_PREFIX = "/ai";

type SchemaObject = NonNullable<NonNullable<OpenAPIObject["components"]>["schemas"]>[string];
const ERROR_BODY_SCHEMA: SchemaObject = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "requestId"],
      properties: {
        code: { type: "string", enum: Object.keys(ERROR_TABLE) },
        message: { type: "string" },
        requestId: { type: "string" },
        details: { description: "Field-level detail for a 400, when there is some" },
      },
    },
  },
};

export function openApiDocument(baseUrl: string) {
  const doc = generateOpenApiDocument(appRouter, {
    title: "Ops Orchestrator",
    description: "One API for GitHub, AI assistants, hosting and WordPress operations. Every call is authenticated with an API key and audited.",
    version: VERSION,
    baseUrl: `${baseUrl.replace(/\/$/, "")}${REST_PREFIX}`,
    // One scheme: a GPT action accepts exactly one. The server also accepts the key as a Bearer token (MCP clients).
    securitySchemes: {
      apiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "An API key made with `orchestrator keys create`" },
    },
  });
  // trpc-to-openapi describes its own error body; ours is { error: { code, message, requestId } }
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    if (name.startsWith("error.")) doc.components!.schemas![name] = ERROR_BODY_SCHEMA;
  }
  const effects = new Map(operations.map((op) => [op.meta.openapi.operationId, effectOf(op)]));
  const access = new Map(operations.map((op) => [op.meta.openapi.operationId, op.meta.access]));
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, { security?: unknown[]; operationId?: string; "x-openai-isConsequential"?: boolean; "x-required-scope"?: string }>)) {
      if (!op || typeof op !== "object") continue;
      if (Array.isArray(op.security) && op.security.length) op.security = [{ apiKey: [] }];
      // GPT asks the user before a consequential call; a read (even a POST such as /intents/check) needs no asking.
      const effect = op.operationId ? effects.get(op.operationId) : undefined;
      if (effect) op["x-openai-isConsequential"] = !effect.readOnly;
      // the scope an API key needs (absent: any valid key)
      const permission = op.operationId ? access.get(op.operationId)?.permission : undefined;
      if (permission) op["x-required-scope"] = permission;
    }
  }
  return doc;
}

/** /ai/*: the operation decides whether a key is needed (public ones say `protect: false`), so it authenticates after routing. */
export const handleRest = guardRoute({ action: "rest", surface: "rest", caller: "none", cors: true }, async (g) => {
  const { req, deps, requestId } = g;
  const url = new URL(req.url);
  const path = url.pathname.slice(REST_PREFIX.length) || "/";
  g.action = `${req.method} ${REST_PREFIX}${path}`.slice(0, 200);
  const match = matchOperation(req.method, path);
  if (!("op" in match)) {
    if (match.allowed.length === 0) throw new AppError("NOT_FOUND", `No operation at ${REST_PREFIX}${path}; see /api/openapi.json.`);
    throw new AppError("METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${REST_PREFIX}${path}; use ${match.allowed.join(", ")}.`, undefined, {
      allow: match.allowed.join(", "),
    });
  }
  const { op, params } = match;
  assertUrlLength(req);
  g.action = op.procedurePath;
  // Authenticate before looking at the input: an unauthenticated caller learns nothing about schemas.
  if (op.protect) await g.authenticate();
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readJsonBody(req, deps.env.MAX_BODY_BYTES);
  // the procedure's response headers (rate limits) go straight to the guard's, which it adds to the answer
  const ctx = createContext({ deps, requestId, surface: "rest", ip: g.ip, actor: g.actor, idempotencyKey: req.headers.get("idempotency-key"), resHeaders: g.headers });
  try {
    const data = await callOperation(op, ctx, restInput(op, { method: req.method, query: url.searchParams, body, params }));
    const headers = new Headers();
    const text = JSON.stringify(data);
    if (req.method === "GET" || req.method === "HEAD") return conditionalResponse(req, text, headers);
    return jsonAnswer(text, 200, headers);
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    // The procedure's own failure: its audit entry is written by the audit middleware already.
    const app = reportedAppError(err, requestId);
    return jsonError(app.code, app.message, requestId, { details: app.details, headers: app.headers });
  }
});

/** A read's answer with its ETag: 304 without a body when the client's If-None-Match already names it (polling clients). */
function conditionalResponse(req: Request, text: string, headers: Headers): Response {
  const etag = `W/"${hash("sha256", text, "base64url").slice(0, 27)}"`;
  headers.set("etag", etag);
  const sent = req.headers.get("if-none-match");
  if (sent && (sent.trim() === "*" || sent.split(",").some((t) => t.trim() === etag))) return new Response(null, { status: 304, headers });
  return jsonAnswer(text, 200, headers);
}

/** A JSON request body (an empty one is `{}`): 413 over the cap, 415 when not JSON, 400 when malformed. */
async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const body = await readBodyCapped(req, limit);
  if (body.trim() === "") return {};
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new AppError("BAD_REQUEST", `Malformed JSON body: ${(err as Error).message}`);
  }
}

export { operations };

/** GET /api/openapi.json: servers[0] from ORCHESTRATOR_URL, else the origin the request came to. */
export async function openApiDocumentFor(req: Request): Promise<Response> {
  const base = env().ORCHESTRATOR_URL ?? new URL(req.url).origin;
  return Response.json(openApiDocument(base), { headers: { "cache-control": "no-store" } });
}
