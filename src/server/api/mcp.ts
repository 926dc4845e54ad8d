import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Actor } from "@/server/core/auth/actor";
import { readCredential } from "@/server/core/auth/keys";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import { AppError, errorBody } from "@/server/core/errors";
import { getDeps, VERSION, type Deps } from "@/server/deps";
import { createContext } from "@/server/trpc/context";
import { reportedAppError } from "@/server/trpc/init";
import { appErrorResponse, auditRejection, clientIp, corsHeaders, jsonError, preflight, readBodyCapped, requestIdOf, withHeaders } from "./http";
import { registerContextResources } from "./mcp-resources";
import { callOperation, operations, type Operation } from "./operations";

/**
 * MCP over Streamable HTTP at /mcp: every procedure with OpenAPI meta is a tool, named by its
 * operationId, described by its summary, with its zod input as JSON schema. Same auth (API key as
 * bearer) and the same audit as REST, because a tool call is the procedure call.
 */
function toolOf(op: Operation): Tool {
  const input = op.procedure._def.inputs[0] as z.ZodType | undefined;
  const schema = input ? (z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as Tool["inputSchema"]) : { type: "object" as const };
  delete (schema as Record<string, unknown>).$schema;
  return {
    name: op.meta.openapi.operationId ?? op.procedurePath.replace(/\./g, "_"),
    description: [op.meta.openapi.summary, op.meta.openapi.description].filter(Boolean).join("\n\n"),
    inputSchema: { ...schema, type: "object" },
    annotations: { readOnlyHint: op.type === "query" },
  };
}

const tools = operations.map((op) => ({ op, tool: toolOf(op) }));

async function callTool(deps: Deps, actor: Actor, requestId: string, ip: string | null, name: string, args: unknown): Promise<CallToolResult> {
  const entry = tools.find((t) => t.tool.name === name);
  if (!entry) return { isError: true, content: [{ type: "text", text: `Unknown tool ${name}.` }] };
  const ctx = createContext({ deps, requestId, surface: "mcp", ip, actor });
  try {
    const result = await callOperation(entry.op, ctx, args ?? {});
    return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result as Record<string, unknown> };
  } catch (err) {
    const app = err instanceof TRPCError ? reportedAppError(err, requestId) : new AppError("INTERNAL", "Internal error");
    return { isError: true, content: [{ type: "text", text: JSON.stringify(errorBody(app.code, app.message, requestId, app.details)) }] };
  }
}

function buildServer(deps: Deps, actor: Actor, requestId: string, ip: string | null): Server {
  const server = new Server({ name: "ops-orchestrator", version: VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: tools.map((t) => t.tool) }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => callTool(deps, actor, requestId, ip, req.params.name, req.params.arguments));
  registerContextResources(server, { deps, actor, requestId, ip });
  return server;
}

export async function handleMcp(req: Request): Promise<Response> {
  const deps = await getDeps();
  const requestId = requestIdOf(req);
  const cors = corsHeaders(req, deps.env);
  if (req.method === "OPTIONS") return preflight(req, deps.env, "GET, POST, DELETE, OPTIONS");
  // Stateless: no server-initiated stream to offer. The SDK client opens a GET after initialize and
  // accepts 405; answering it before auth keeps that protocol probe out of the audit log.
  if (req.method !== "POST") {
    return withHeaders(jsonError("METHOD_NOT_ALLOWED", "This MCP endpoint is stateless: POST only.", requestId, { headers: { allow: "POST, OPTIONS" } }), cors);
  }
  const ip = clientIp(req, deps.env);
  let actor: Actor | null = null;
  try {
    actor = await authenticateApiKey(deps.db, readCredential(req.headers), req.headers.get("x-client-id"), { cache: deps.apiKeyCache });
    const body = await readBodyCapped(req, deps.env.MAX_BODY_BYTES);
    // Stateless: a fresh server and transport per request, so any instance can answer any call.
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const server = buildServer(deps, actor, requestId, ip);
    await server.connect(transport);
    const res = await transport.handleRequest(new Request(req.url, { method: req.method, headers: req.headers, body }));
    return withHeaders(res, cors, new Headers({ "x-request-id": requestId }));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await auditRejection(deps, { requestId, actor, action: "mcp", error: err, ip, surface: "mcp" });
    const extra = err.code === "UNAUTHORIZED" ? new Headers({ "www-authenticate": 'Bearer realm="ops-orchestrator"' }) : new Headers();
    return withHeaders(appErrorResponse(err, requestId), cors, extra);
  }
}
