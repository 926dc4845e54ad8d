import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { readAdminLink } from "@/server/adapters/db/admin-link";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { handleAdminCli, ADMIN_LINK_FAILURES_PER_MINUTE } from "./admin";
import { startAdminListener } from "./admin-listener";
import { guardRoute } from "./guard";
import { handleGitHubWebhook } from "./github-webhook";
import { handleMap } from "./maps";
import { handleMcp } from "./mcp";
import { handlePrometheus } from "./prometheus";
import { handleRest } from "./rest";

/**
 * The one guard of the routes outside tRPC, as their callers see it: any failure — even one nobody
 * planned for, such as the database gone during the key lookup — answers the one error body with
 * its status and request id, never a bare 500 from the framework.
 */

/** Well-formed but never issued, so the lookup must reach the database. */
const unknownKey = () => `oo_${"Z".repeat(11)}${randomUUID().replace(/-/g, "")}`;

async function expectErrorBody(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string; requestId: string } };
  expect(body.error).toMatchObject({ code, requestId: res.headers.get("x-request-id") });
  expect(text).not.toMatch(/\n\s+at \S|\.ts:\d+/);
  return body;
}

const mcpPost = (headers: Record<string, string>, rpc: unknown = { jsonrpc: "2.0", id: 1, method: "tools/list" }) =>
  new Request("http://localhost/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(rpc),
  });

describe("a database down during the key lookup", () => {
  let deps: Deps;

  beforeAll(async () => {
    deps = await testDeps();
    // A Prisma client on a port where no database listens: every query fails the way an outage does.
    const unreachable = new PrismaClient({ adapter: new PrismaPg({ connectionString: "postgres://postgres@127.0.0.1:1/gone", connectionTimeoutMillis: 2000 }) });
    setDeps({ ...deps, db: unreachable as unknown as Deps["db"] });
  });
  afterAll(() => closeDeps(deps));

  const surfaces: [string, (key: string) => Promise<Response>][] = [
    ["REST /ai/*", (key) => handleRest(new Request("http://localhost/ai/audit", { headers: { "x-api-key": key } }))],
    ["MCP /mcp", (key) => handleMcp(mcpPost({ authorization: `Bearer ${key}` }))],
    ["/maps/connections.json", (key) => handleMap(new Request("http://localhost/maps/connections.json", { headers: { "x-api-key": key } }), "connections.json")],
    ["/api/metrics", (key) => handlePrometheus(new Request("http://localhost/api/metrics", { headers: { authorization: `Bearer ${key}` } }))],
  ];
  it.each(surfaces)("%s answers 503 with the error body, a request id and Retry-After", async (_, send) => {
    const res = await send(unknownKey());
    expect(res.headers.get("retry-after")).toBe("5");
    const body = await expectErrorBody(res, 503, "UNAVAILABLE");
    expect(body.error.message).not.toMatch(/127\.0\.0\.1|:1\b|gone/); // nothing of where the database is
  });
});

describe("routes under the guard", () => {
  let deps: Deps;
  const secret = "s3cret-webhook";

  beforeAll(async () => {
    deps = await testDeps({ GITHUB_WEBHOOK_SECRET: secret, DASHBOARD_ORIGIN: "https://dash.example.com", ORCHESTRATOR_URL: "https://ops.example.com" });
    setDeps(deps);
  });
  afterAll(() => closeDeps(deps));

  it("answers a failure nobody planned for as a 500 with the body, its detail kept for the log only", async () => {
    const route = guardRoute({ action: "test.boom", surface: "rest", caller: "none" }, async () => {
      throw new TypeError("boom: secret detail at /srv/app/x.ts:12");
    });
    const body = await expectErrorBody(await route(new Request("http://localhost/x")), 500, "INTERNAL");
    expect(body.error.message).toContain(body.error.requestId);
    expect(body.error.message).not.toContain("boom");
  });

  describe("MCP", () => {
    it("answers 403 to a browser Origin that is not allowed, even with a valid key", async () => {
      const { key } = await makeKey(deps, ["audit:read"]);
      await expectErrorBody(await handleMcp(mcpPost({ authorization: `Bearer ${key}`, origin: "https://evil.example" })), 403, "FORBIDDEN");
      // DNS rebinding: the Host is the attacker's name too, so the request's own origin proves nothing
      await expectErrorBody(await handleMcp(new Request("http://evil.example/mcp", mcpPost({ authorization: `Bearer ${key}`, origin: "http://evil.example" }))), 403, "FORBIDDEN");
      for (const origin of ["https://dash.example.com", "https://ops.example.com"]) expect((await handleMcp(mcpPost({ authorization: `Bearer ${key}`, origin }))).status, origin).toBe(200);
      expect((await handleMcp(mcpPost({ authorization: `Bearer ${key}` }))).status).toBe(200);
    });

    it("honours Idempotency-Key: a retried proposal is the same intent, created once", async () => {
      const { key, clientId } = await makeKey(deps, ["intents:propose", "intents:read"]);
      const idem = `mcp-${randomUUID()}`;
      const propose = {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "proposeIntent", arguments: { action: "create_issue", target: { repo: "acme/web" }, params: { title: "t" }, reason: "retry test" } },
      };
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await handleMcp(mcpPost({ authorization: `Bearer ${key}`, "idempotency-key": idem }, propose));
        const rpc = (await res.json()) as { result: { structuredContent: { id: string }; isError?: boolean } };
        expect(rpc.result.isError).toBeFalsy();
        ids.push(rpc.result.structuredContent.id);
      }
      expect(ids[1]).toBe(ids[0]);
      expect(await deps.db.intent.count({ where: { clientId } })).toBe(1);
    });

    it("describes each tool by what it does: hints, a title and the output schema", async () => {
      const { key } = await makeKey(deps, ["audit:read"]);
      const res = await handleMcp(mcpPost({ authorization: `Bearer ${key}` }));
      const { result } = (await res.json()) as { result: { tools: { name: string; title?: string; outputSchema?: { type: string; properties?: object }; annotations?: Record<string, unknown> }[] } };
      const tool = new Map(result.tools.map((t) => [t.name, t]));
      // a POST that only asks the policy is read-only; a query-or-mutation rule called it a write
      expect(tool.get("checkIntent")!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
      expect(tool.get("proposeIntent")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
      expect(tool.get("revokeApiKey")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
      expect(tool.get("putContext")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      expect(tool.get("getStatus")!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      for (const t of result.tools) {
        expect(t.title, t.name).toBeTruthy();
        expect(t.annotations?.title, t.name).toBe(t.title);
      }
      expect(tool.get("getIntent")!.outputSchema).toMatchObject({ type: "object", properties: expect.objectContaining({ id: expect.anything(), status: expect.anything() }) });
      expect(tool.get("getStatus")!.outputSchema?.type).toBe("object");
    });
  });

  describe("webhook", () => {
    it("refuses a delivery without a signature before reading its body", async () => {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(1024 * 1024));
          if (pulled > 30) controller.close();
        },
      });
      const req = new Request("http://localhost/api/github/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-delivery": "d1", "x-github-event": "push" },
        body,
        duplex: "half",
      } as RequestInit);
      await expectErrorBody(await handleGitHubWebhook(req), 401, "UNAUTHORIZED");
      expect(pulled).toBeLessThanOrEqual(1); // the stream's first chunk may be buffered; nothing more was read
    });

    it("503 without a secret, before reading the body", async () => {
      setDeps({ ...deps, env: { ...deps.env, GITHUB_WEBHOOK_SECRET: undefined } });
      try {
        let pulled = 0;
        const body = new ReadableStream<Uint8Array>({ pull: (c) => void (pulled++, c.enqueue(new Uint8Array(1024 * 1024))) });
        const req = new Request("http://localhost/api/github/webhook", { method: "POST", headers: { "x-hub-signature-256": "sha256=00" }, body, duplex: "half" } as RequestInit);
        await expectErrorBody(await handleGitHubWebhook(req), 503, "UNAVAILABLE");
        expect(pulled).toBeLessThanOrEqual(1);
      } finally {
        setDeps(deps);
      }
    });
  });
});

describe("the admin link's own loopback listener (embedded database)", () => {
  let deps: Deps;
  let close: () => void;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "oo-admin-"));
    const base = await testDeps({ DATA_DIR: dataDir });
    // the link exists only for the embedded database; the store behind it may be the test Postgres
    deps = { ...base, env: { ...base.env, dataDir }, database: { ...base.database, kind: "pglite" } } as Deps;
    setDeps(deps);
    const started = await startAdminListener(deps);
    close = () => started.server.close();
  });
  afterAll(async () => {
    close();
    await closeDeps(deps);
  });

  function post(url: string, token: string, body: unknown): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${url}/api/admin/cli`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  }

  it("trusts no header: with the right token, a request that did not come from a loopback socket is refused", async () => {
    const link = readAdminLink(deps.env.dataDir)!;
    const spoofed = () =>
      new Request("http://127.0.0.1/api/admin/cli", {
        method: "POST",
        headers: { host: "127.0.0.1", "x-forwarded-for": "127.0.0.1", authorization: `Bearer ${link.token}`, "content-type": "application/json" },
        body: JSON.stringify({ op: "keys.list" }),
      });
    // through Next.js (no socket address to give), and from a remote socket
    await expectErrorBody(await handleAdminCli(spoofed(), undefined), 404, "NOT_FOUND");
    await expectErrorBody(await handleAdminCli(spoofed(), "203.0.113.9"), 404, "NOT_FOUND");
    expect((await handleAdminCli(spoofed(), "127.0.0.1")).status).toBe(200);
  });

  it("runs a command with the token, audits bad tokens and answers 429 past the failure limit", async () => {
    const link = readAdminLink(deps.env.dataDir)!;
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await post(link.url, link.token, { op: "keys.list" });
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.parse(ok.text)).toHaveProperty("result");
    const before = await deps.db.auditEvent.count({ where: { action: "admin.cli", outcome: "denied" } });
    const statuses: number[] = [];
    for (let i = 0; i < ADMIN_LINK_FAILURES_PER_MINUTE + 3; i++) statuses.push((await post(link.url, "wrong", { op: "keys.list" })).status);
    // failures are counted per app process (this file's earlier refusals count too): 401s, then only 429s
    const refused = statuses.filter((st) => st === 401).length;
    expect(statuses).toEqual([...Array(refused).fill(401), ...Array(statuses.length - refused).fill(429)]);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(ADMIN_LINK_FAILURES_PER_MINUTE);
    const after = await deps.db.auditEvent.count({ where: { action: "admin.cli", outcome: "denied" } });
    expect(after - before).toBe(refused); // the 429s add no rows
  });
});
