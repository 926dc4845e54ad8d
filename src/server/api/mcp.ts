import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Actor } from "@/server/core/auth/actor";
import { errorBody } from "@/server/core/errors";
import { VERSION, type Deps } from "@/server/deps";
import { createContext } from "@/server/trpc/context";
import { appErrorFor, guardRoute } from "./guard";
import { readBodyCapped } from "./http";
import { registerContextResources } from "./mcp-resources";
import { callOperation, effectOf, operations, type Operation } from "./operations";

/**
 * MCP over Streamable HTTP at /mcp: every procedure with OpenAPI meta is a tool, named by its
 * operationId, described by its summary, with its zod input and output as JSON schemas and hints
 * from what the operation does (effectOf). Same auth (API key as bearer), the same audit and the
 * same Idempotency-Key as REST, because a tool call is the procedure call.
 *
 * The low-level `Server` rather than `McpServer`: McpServer would parse every input with its own zod
 * pass before the procedure's (a second, differently worded 400) and wants the tools registered one
 * by one; here the procedure stays the only parser and the tool list is derived once.
 */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** "checkIntent" → "Check intent". */
function titleOf(operationId: string): string {
  const words = operationId
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function toolOf(op: Operation): Tool {
  const input = op.procedure._def.inputs[0] as z.ZodType | undefined;
  const output = (op.procedure._def as { output?: z.ZodType }).output;
  const inputSchema = input ? jsonSchemaOf(input, "input") : {};
  // structuredContent must be an object: an output of another shape is sent as text only.
  const outputSchema = output ? jsonSchemaOf(output, "output") : undefined;
  const name = op.meta.openapi.operationId ?? op.procedurePath.replace(/\./g, "_");
  const effect = effectOf(op);
  return {
    name,
    title: titleOf(name),
    description: [op.meta.openapi.summary, op.meta.openapi.description].filter(Boolean).join("\n\n"),
    inputSchema: { ...inputSchema, type: "object" },
    ...(outputSchema?.type === "object" ? { outputSchema: outputSchema as Tool["outputSchema"] } : {}),
    annotations: {
      title: titleOf(name),
      readOnlyHint: effect.readOnly,
      destructiveHint: effect.destructive,
      idempotentHint: effect.idempotent,
    },
  };
}

const tools = operations.map((op) => ({ op, tool: toolOf(op) }));

interface ToolCall {
  deps: Deps;
  actor: Actor;
  requestId: string;
  ip: string | null;
  idempotencyKey: string | null;
}

async function callTool(call: ToolCall, name: string, args: unknown): Promise<CallToolResult> {
  const entry = tools.find((t) => t.tool.name === name);
  if (!entry) return { isError: true, content: [{ type: "text", text: `Unknown tool ${name}.` }] };
  const ctx = createContext({ deps: call.deps, requestId: call.requestId, surface: "mcp", ip: call.ip, actor: call.actor, idempotencyKey: call.idempotencyKey });
  try {
    const result = await callOperation(entry.op, ctx, args ?? {});
    const structured = entry.tool.outputSchema && result && typeof result === "object" && !Array.isArray(result);
    return { content: [{ type: "text", text: JSON.stringify(result) }], ...(structured ? { structuredContent: result as Record<string, unknown> } : {}) };
  } catch (err) {
    const app = appErrorFor(err, call.requestId);
    return { isError: true, content: [{ type: "text", text: JSON.stringify(errorBody(app.code, app.message, call.requestId, app.details)) }] };
  }
}

function buildServer(call: ToolCall): Server {
  const server = new Server({ name: "ops-orchestrator", version: VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: tools.map((t) => t.tool) }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => callTool(call, req.params.name, req.params.arguments));
  registerContextResources(server, call);
  return server;
}

/**
 * Stateless: a fresh server and transport per request, so any instance can answer any call; POST
 * only (the SDK client opens a GET after initialize and accepts 405, answered before auth so that
 * protocol probe stays out of the audit log).
 */
export const handleMcp = guardRoute(
  { action: "mcp", surface: "mcp", caller: "api_key", methods: ["POST"], cors: true, checkOrigin: true, wwwAuthenticate: 'Bearer realm="ops-orchestrator"' },
  async (g) => {
    const { req, deps } = g;
    const body = await readBodyCapped(req, deps.env.MAX_BODY_BYTES);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await buildServer({ deps, actor: g.actor!, requestId: g.requestId, ip: g.ip, idempotencyKey: req.headers.get("idempotency-key") }).connect(transport);
    return transport.handleRequest(new Request(req.url, { method: req.method, headers: req.headers, body }));
  },
);
