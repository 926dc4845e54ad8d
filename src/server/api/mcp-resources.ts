import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ErrorCode, ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, McpError, ReadResourceRequestSchema, type Resource } from "@modelcontextprotocol/sdk/types.js";
import { TRPCError } from "@trpc/server";
import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import type { Entry } from "@/server/features/context/schema";
import { createContext } from "@/server/trpc/context";
import { reportedAppError } from "@/server/trpc/init";
import { callOperation, operations } from "./operations";

/**
 * Shared-context entries as MCP resources, `orchestrator://context/{scope}/{key}` (scope and key
 * percent-encoded): listed a scope's page at a time, read as JSON. Both go through the context
 * procedures, so they need context:read and are rate-limited and audited like the tools.
 *
 * No `subscribe` (nor `listChanged`) capability: `notifications/resources/updated` is a message the
 * server sends unasked, which Streamable HTTP carries only on a session's open stream. This endpoint is
 * stateless (a fresh server per POST, any instance answers), so there is nothing to carry it on; clients
 * that want changes follow /ai/context/stream, which resumes on any instance.
 */
const PREFIX = "orchestrator://context/";
const PAGE = 100;
const RESOURCE_NOT_FOUND = -32002;

export const contextResourceUri = (scope: string, key: string) => `${PREFIX}${encodeURIComponent(scope)}/${encodeURIComponent(key)}`;

function parseUri(uri: string): { scope: string; key: string } {
  const rest = uri.startsWith(PREFIX) ? uri.slice(PREFIX.length).split("/") : [];
  if (rest.length !== 2 || !rest[0] || !rest[1]) throw new McpError(ErrorCode.InvalidParams, `Not a context resource: ${uri.slice(0, 200)} (expected ${PREFIX}{scope}/{key}).`);
  try {
    return { scope: decodeURIComponent(rest[0]), key: decodeURIComponent(rest[1]) };
  } catch {
    throw new McpError(ErrorCode.InvalidParams, "The resource URI is not valid percent-encoding.");
  }
}

interface Caller {
  deps: Deps;
  actor: Actor;
  requestId: string;
  ip: string | null;
}

async function call<T>(c: Caller, procedurePath: string, input: unknown): Promise<T> {
  const op = operations.find((o) => o.procedurePath === procedurePath)!;
  try {
    return (await callOperation(op, createContext({ deps: c.deps, requestId: c.requestId, surface: "mcp", ip: c.ip, actor: c.actor }), input)) as T;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const app = reportedAppError(err, c.requestId);
    throw new McpError(app.code === "NOT_FOUND" ? RESOURCE_NOT_FOUND : app.status >= 500 ? ErrorCode.InternalError : ErrorCode.InvalidRequest, app.message, { code: app.code });
  }
}

/** Where a listing continues: the scope, and the last key listed in it (null: from its start). */
function decodeCursor(cursor: string | undefined): { scope: string; key: string | null } | null {
  if (!cursor) return null;
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { scope: string; key: string | null };
  } catch {
    throw new McpError(ErrorCode.InvalidParams, "Invalid cursor.");
  }
}
const encodeCursor = (c: { scope: string; key: string | null }) => Buffer.from(JSON.stringify(c)).toString("base64url");

const resourceOf = (e: Entry): Resource => ({
  uri: contextResourceUri(e.scope, e.key),
  name: `${e.scope}/${e.key}`,
  mimeType: "application/json",
  description: `Shared context, version ${e.version}, written by ${e.updatedBy.id} at ${e.updatedAt}; expires ${e.expiresAt}`,
});

export function registerContextResources(server: Server, caller: Caller): void {
  server.registerCapabilities({ resources: {} });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      { uriTemplate: `${PREFIX}{scope}/{key}`, name: "Shared context entry", mimeType: "application/json", description: "One shared-context entry: value, version, who wrote it, expiry" },
    ],
  }));
  server.setRequestHandler(ListResourcesRequestSchema, async (req) => {
    const { scopes } = await call<{ scopes: { scope: string }[] }>(caller, "context.summary", {});
    const names = scopes.map((s) => s.scope).sort();
    const at = decodeCursor(req.params?.cursor) ?? (names[0] ? { scope: names[0], key: null } : null);
    if (!at) return { resources: [] };
    const page = await call<{ items: Entry[]; nextCursor: string | null }>(caller, "context.list", { scope: at.scope, limit: PAGE, ...(at.key ? { cursor: at.key } : {}) });
    const following = names.find((s) => s > at.scope);
    const next = page.nextCursor ? { scope: at.scope, key: page.nextCursor } : following ? { scope: following, key: null } : null;
    return { resources: page.items.map(resourceOf), ...(next ? { nextCursor: encodeCursor(next) } : {}) };
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    const entry = await call<Entry>(caller, "context.get", parseUri(req.params.uri));
    return { contents: [{ uri: req.params.uri, mimeType: "application/json", text: JSON.stringify(entry) }] };
  });
}
