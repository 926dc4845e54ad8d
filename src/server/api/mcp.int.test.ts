import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { handleMcp } from "./mcp";

/** /mcp as an MCP client sees it: the SDK's own client, its HTTP routed in-process to handleMcp. */

// ---------------------------------------------------------------- helpers

interface Exchange {
  method: string;
  rpc: string | null;
  status: number;
  requestId: string | null;
}

/** An SDK client on /mcp with this key (or none); `exchanges` records each HTTP round trip. */
async function connect(key: string | null) {
  const exchanges: Exchange[] = [];
  const fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(url, init);
    const rpc = init?.body && typeof init.body === "string" ? ((JSON.parse(init.body) as { method?: string }).method ?? null) : null;
    const res = await handleMcp(req);
    exchanges.push({ method: req.method, rpc, status: res.status, requestId: res.headers.get("x-request-id") });
    return res;
  };
  const transport = new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
    fetch,
    requestInit: key ? { headers: { authorization: `Bearer ${key}` } } : {},
  });
  const client = new Client({ name: "mcp-int-test", version: "0.0.0" });
  await client.connect(transport);
  return { client, exchanges };
}

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  const content = result.content as { type: string; text?: string }[];
  expect(content[0]?.type).toBe("text");
  return content[0]!.text!;
}

// ---------------------------------------------------------------- tests

describe("MCP /mcp", () => {
  let deps: Deps;

  beforeAll(async () => {
    deps = await testDeps();
    setDeps(deps);
  });
  afterAll(() => closeDeps(deps));

  it("lists the operations as tools with object input schemas", async () => {
    const { client } = await connect((await makeKey(deps, ["audit:read"])).key);
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ["getStatus", "listAuditEvents", "verifyAuditChain"]) {
      expect(byName.get(name)?.inputSchema.type, name).toBe("object");
      expect(byName.get(name)?.description, name).toBeTruthy();
    }
    expect(Object.keys(byName.get("listAuditEvents")!.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(["clientId", "limit", "cursor"]));
    expect(byName.get("getStatus")!.annotations?.readOnlyHint).toBe(true);
    expect(byName.get("createApiKey")!.annotations?.readOnlyHint).toBe(false);
    await client.close();
  });

  it("calls getStatus and answers the status JSON", async () => {
    const { client } = await connect((await makeKey(deps, ["audit:read"])).key);
    const result = await client.callTool({ name: "getStatus", arguments: {} });
    expect(result.isError).toBeFalsy();
    const status = JSON.parse(textOf(result)) as Record<string, unknown>;
    expect(status).toMatchObject({ name: "Ops Orchestrator", version: deps.version, status: expect.stringMatching(/^(ok|degraded)$/) });
    expect(status.connections).toEqual(expect.arrayContaining([expect.objectContaining({ name: "database", state: "up" })]));
    expect(result.structuredContent).toEqual(status);
    await client.close();
  });

  it("audits a tool call with surface mcp and the key's client", async () => {
    const { key, clientId } = await makeKey(deps, ["audit:read"]);
    const { client, exchanges } = await connect(key);
    await client.callTool({ name: "getStatus", arguments: {} });
    await client.close();
    const call = exchanges.find((e) => e.rpc === "tools/call")!;
    expect(call.status).toBe(200);
    const rows = await deps.db.auditEvent.findMany({ where: { clientId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ surface: "mcp", action: "status.get", outcome: "success", actorType: "api_key", requestId: call.requestId });
  });

  it("answers a tool's own input errors as a BAD_REQUEST tool error", async () => {
    const { client } = await connect((await makeKey(deps, ["audit:read"])).key);
    const result = await client.callTool({ name: "listAuditEvents", arguments: { limit: 5000 } });
    expect(result.isError).toBe(true);
    expect(JSON.parse(textOf(result))).toMatchObject({ error: { code: "BAD_REQUEST", message: expect.stringMatching(/limit/) } });
    await client.close();
  });

  it("answers a call without enough scope as a FORBIDDEN tool error, audited as denied", async () => {
    const { key, clientId } = await makeKey(deps, ["context:read"]);
    const { client, exchanges } = await connect(key);
    const result = await client.callTool({ name: "listAuditEvents", arguments: {} });
    await client.close();
    expect(result.isError).toBe(true);
    const requestId = exchanges.find((e) => e.rpc === "tools/call")!.requestId;
    expect(JSON.parse(textOf(result))).toEqual({ error: { code: "FORBIDDEN", message: expect.stringContaining("audit:read"), requestId } });
    const rows = await deps.db.auditEvent.findMany({ where: { clientId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ surface: "mcp", action: "audit.list", outcome: "denied", status: 403 });
  });

  it("refuses to connect without a key: 401, audited as denied", async () => {
    const exchanges: Exchange[] = [];
    const attempt = (async () => {
      const transport = new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
        fetch: async (url, init) => {
          const res = await handleMcp(new Request(url, init));
          exchanges.push({ method: init?.method ?? "GET", rpc: null, status: res.status, requestId: res.headers.get("x-request-id") });
          return res;
        },
      });
      await new Client({ name: "mcp-int-test", version: "0.0.0" }).connect(transport);
    })();
    await expect(attempt).rejects.toSatisfy((err) => err instanceof StreamableHTTPError && err.code === 401);
    expect(exchanges).toHaveLength(1);
    const rows = await deps.db.auditEvent.findMany({ where: { requestId: exchanges[0]!.requestId! } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ surface: "mcp", outcome: "denied", status: 401, actorType: "anonymous" });
  });

  it("refuses a revoked key with 401 and a WWW-Authenticate challenge", async () => {
    const { key, record } = await makeKey(deps, ["audit:read"]);
    await deps.db.apiKey.update({ where: { id: record.id }, data: { revokedAt: new Date() } });
    const res = await handleMcp(
      new Request("http://localhost/mcp", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error).toMatchObject({ code: "UNAUTHORIZED", requestId: res.headers.get("x-request-id") });
  });

  it("answers GET with 405 (stateless: no server-initiated stream), without holding a connection open", async () => {
    const { key } = await makeKey(deps, ["audit:read"]);
    const res = await handleMcp(new Request("http://localhost/mcp", { headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" } }));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST, OPTIONS");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("METHOD_NOT_ALLOWED");
  });
});
