import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleRest, openApiDocumentFor } from "@/server/api/rest";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey, testDeps } from "../../tests/support/deps";
import { runLoadDrill } from "./drill-load";
import { runRollbackDrill } from "./drill-rollback";

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  return new Request(`${base}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
}

async function send(res: ServerResponse, response: Response) {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** The app's REST dispatch on a real loopback port; `intercept` may answer instead (to play a broken deployment). */
function serve(intercept?: (req: IncomingMessage) => Response | null): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      void (async () => {
        const fake = intercept?.(req);
        if (fake) return send(res, fake);
        if (req.url === "/api/health") return send(res, Response.json({ ok: true }));
        const request = await toRequest(req, "http://localhost");
        await send(res, req.url === "/api/openapi.json" ? await openApiDocumentFor(request) : await handleRest(request));
      })();
    });
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server }));
  });
}

describe("drills against a running REST API", () => {
  let deps: Deps;
  let key: string;
  const servers: Server[] = [];

  beforeAll(async () => {
    deps = await testDeps();
    setDeps(deps);
    ({ key } = await makeKey(deps, ["context:read", "context:write", "audit:read"], { rateLimits: { read: 100_000, write: 100_000, expensive: 10_000 } }));
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await closeDeps(deps);
  });

  it("passes on a healthy deployment: no 5xx, every acknowledged call audited, the chain verifies", async () => {
    const { url, server } = await serve();
    servers.push(server);
    const report = await runLoadDrill({ url, key, durationSeconds: 2, connections: 4 });
    expect(report).toMatchObject({ serverErrors: 0, lostAuditRows: 0, chainOk: true, ok: true });
    expect(report.requests).toBeGreaterThanOrEqual(4); // each connection made at least its first call
    expect(Object.keys(report.byStatus)).toEqual(expect.arrayContaining(["200"]));
  });

  it("fails when calls are acknowledged without an audit row, or answered 5xx", async () => {
    const { url, server } = await serve((req) => {
      // a deployment that answers status from somewhere that never audits, and fails some writes
      if (req.url === "/ai/status") return Response.json({ ok: true }, { headers: { "x-request-id": randomUUID() } });
      if (req.method === "PUT") return Response.json({ error: { code: "INTERNAL", message: "boom", requestId: "x" } }, { status: 502 });
      return null;
    });
    servers.push(server);
    const report = await runLoadDrill({ url, key, durationSeconds: 1, connections: 2 });
    expect(report.ok).toBe(false);
    expect(report.lostAuditRows).toBeGreaterThan(0);
    expect(report.serverErrors).toBe(report.byStatus["502"]);
    expect(report.serverErrors).toBeGreaterThan(0);
  });

  it("drill rollback: health and every parameterless read of the deployment's own API answer without a 5xx", async () => {
    const { url, server } = await serve();
    servers.push(server);
    const report = await runRollbackDrill({ url, key });
    expect(report.ok).toBe(true);
    const ops = report.checks.map((c) => c.operation);
    expect(ops).toEqual(expect.arrayContaining(["health", "getStatus", "listAuditEvents", "verifyAuditChain"]));
    expect(report.checks.find((c) => c.operation === "listAuditEvents")).toMatchObject({ status: 200, ok: true });
  });

  it("drill rollback fails when one feature's read answers 5xx", async () => {
    const { url, server } = await serve((req) => (req.url?.startsWith("/ai/audit/recent") ? Response.json({ error: { code: "INTERNAL" } }, { status: 500 }) : null));
    servers.push(server);
    const report = await runRollbackDrill({ url, key });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.operation)).toEqual(["recentAuditEvents"]);
  });
});
