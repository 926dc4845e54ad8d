import { randomUUID } from "node:crypto";
import { handleMcp } from "@/server/api/mcp";
import { REST_PREFIX, handleRest } from "@/server/api/rest";
import { serveTrpc } from "@/server/api/trpc-handler";
import type { Operation } from "@/server/api/operations";
import type { Actor } from "@/server/core/auth/actor";
import { ROLE_PERMISSIONS, type Role } from "@/server/core/auth/permissions";
import { LONE_SURROGATE } from "@/server/core/text";

/**
 * The three surfaces as their clients call them, in-process: REST under /ai/* (input placed the way
 * the OpenAPI document says), MCP tools/call as raw JSON-RPC, and the dashboard's tRPC with a session
 * user given directly (Next's request scope is not there in tests).
 */
export interface SurfaceAnswer {
  status: number;
  requestId: string;
  text: string;
}

const answer = async (res: Response): Promise<SurfaceAnswer> => ({ status: res.status, requestId: res.headers.get("x-request-id") ?? "", text: await res.text() });

/** A REST call of an operation with this input: path parameters substituted, GET/DELETE input in the query, else a JSON body. */
export async function restCall(op: Operation, input: unknown, opts: { key?: string | null; headers?: Record<string, string> } = {}): Promise<SurfaceAnswer> {
  const fields = input !== null && typeof input === "object" && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : {};
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = fields[name];
    delete fields[name];
    // a URL cannot carry a lone surrogate: what a client's encoder would send instead
    return encodeURIComponent((typeof value === "string" ? value : JSON.stringify(value ?? "x")).replace(new RegExp(LONE_SURROGATE.source, "g"), "\ufffd"));
  });
  const url = new URL(`http://localhost${REST_PREFIX}${path}`);
  const headers = new Headers(opts.headers);
  if (opts.key) headers.set("x-api-key", opts.key);
  let body: string | undefined;
  if (op.method === "GET" || op.method === "DELETE") {
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, typeof item === "string" ? item : JSON.stringify(item));
  } else {
    body = JSON.stringify(input === undefined ? {} : Array.isArray(input) || typeof input !== "object" || input === null ? input : fields);
    headers.set("content-type", "application/json");
  }
  return answer(await handleRest(new Request(url, { method: op.method, headers, body })));
}

/** An MCP tools/call as a raw JSON-RPC request (the server is stateless: no initialize needed). */
export async function mcpCall(
  tool: string,
  args: unknown,
  opts: { key?: string | null; headers?: Record<string, string> } = {},
): Promise<SurfaceAnswer & { isError: boolean; payload: string; rpcError: boolean }> {
  const headers = new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18", ...opts.headers });
  if (opts.key) headers.set("authorization", `Bearer ${opts.key}`);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: args } });
  const res = await answer(await handleMcp(new Request("http://localhost/mcp", { method: "POST", headers, body })));
  let isError = false;
  let rpcError = false;
  let payload = "";
  try {
    const rpc = JSON.parse(res.text) as { result?: { isError?: boolean; content?: { text?: string }[] }; error?: unknown };
    rpcError = rpc.error !== undefined; // refused by the protocol layer (e.g. arguments not an object): no tool ran
    isError = rpc.result?.isError === true || rpcError;
    payload = rpc.result?.content?.[0]?.text ?? JSON.stringify(rpc.error ?? null);
  } catch {
    isError = true;
  }
  return { ...res, isError, payload, rpcError };
}

/** A dashboard tRPC call (one, or a batch of several) as `actor` (null: signed out). Queries by GET, mutations by POST from the same origin. */
export async function trpcCall(
  calls: { path: string; input?: unknown }[] | { path: string; input?: unknown },
  opts: { actor?: Actor | null; mutation?: boolean; headers?: Record<string, string> } = {},
): Promise<SurfaceAnswer> {
  const list = Array.isArray(calls) ? calls : [calls];
  const batch = Array.isArray(calls);
  const inputs = batch ? Object.fromEntries(list.map((c, i) => [String(i), c.input])) : list[0]!.input;
  const url = new URL(`http://dash.local/api/trpc/${list.map((c) => c.path).join(",")}`);
  if (batch) url.searchParams.set("batch", "1");
  const headers = new Headers({ host: "dash.local", ...opts.headers });
  let body: string | undefined;
  if (opts.mutation) {
    headers.set("origin", "http://dash.local");
    headers.set("content-type", "application/json");
    body = JSON.stringify(inputs ?? null);
  } else if (inputs !== undefined) {
    url.searchParams.set("input", JSON.stringify(inputs));
  }
  const actor = opts.actor ?? null;
  return answer(await serveTrpc(new Request(url, { method: opts.mutation ? "POST" : "GET", headers, body }), async () => actor));
}

/** A signed-in dashboard user of this role (not stored: the session lookup is given to the endpoint). */
/** A signed-in user as the session resolves one (ids are uuids, as app_user's are); `registerUser` stores it where a test needs the row. */
export const sessionUser = (role: Role = "admin"): Actor => ({ type: "user", id: randomUUID(), email: `${role}-${randomUUID().slice(0, 8)}@test.local`, role, permissions: ROLE_PERMISSIONS[role] });
