import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "./support/server";

/**
 * The zero-config promise: `npm run dev` on the embedded database, a key made with the CLI while
 * the app runs (without the CLI ever opening the app's PGlite folder) works at once on REST and
 * MCP, both calls are audited, the chain verifies, and everything survives a restart. `orchestrator
 * index` indexes a checkout through the running app (its code then found by search), and again with
 * the CLI opening the database itself, reading nothing that did not change.
 */
const run = promisify(execFile);

async function cli(server: AppServer, ...args: string[]) {
  const { stdout } = await run(process.execPath, ["bin/orchestrator.mjs", ...args], { env: server.env });
  return stdout.trim().split("\n");
}

/** A small git checkout for the app to index: one TypeScript file with a distinctive function. */
function sampleRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "oo-e2e-repo-"));
  mkdirSync(path.join(dir, "src"));
  writeFileSync(path.join(dir, "src", "refunds.ts"), "/** Refunds an invoice in full. */\nexport function refundInvoice(id: string) {\n  return { id, refunded: true };\n}\n");
  writeFileSync(path.join(dir, "README.md"), "# sample\n\nRefunds for invoices.\n");
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=e2e@test.local", "-c", "user.name=e2e", ...args], { cwd: dir });
  git("init", "-q");
  git("add", ".");
  git("commit", "-qm", "sample");
  return dir;
}

describe("CLI with the app on the embedded database", () => {
  let server: AppServer;
  let key: string;
  let repo: string;

  beforeAll(async () => {
    repo = sampleRepo();
    server = await startApp({ env: { REPO_PATH: repo } });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it("creates a key through the running app, printed alone on the last line", async () => {
    const lines = await cli(server, "keys", "create", "--client", "cursor", "--scopes", "audit:read,metrics:read", "--owner", "admin@localhost");
    key = lines[lines.length - 1]!;
    expect(key).toMatch(/^oo_[0-9A-Za-z]{43}$/);
    const listed = (await cli(server, "keys", "list")).join("\n");
    expect(listed).toContain(key.slice(0, 11));
    expect(listed).not.toContain(key);
  });

  it("the key works at once on REST", async () => {
    const res = await fetch(`${server.url}/ai/status`, { headers: { "x-api-key": key } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { connections: { name: string; kind: string; state: string }[] };
    expect(body.connections.find((c) => c.name === "database")).toMatchObject({ kind: "pglite", state: "up" });
  });

  it("and on MCP, with both calls in the audit log and the chain intact", async () => {
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain("getStatus");
    const result = await client.callTool({ name: "getStatus", arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();

    const audit = await fetch(`${server.url}/ai/audit?clientId=cursor&action=status.get`, { headers: { "x-api-key": key } });
    const events = ((await audit.json()) as { items: { surface: string; outcome: string }[] }).items;
    expect(events.map((e) => e.surface).sort()).toEqual(["mcp", "rest"]);
    const verify = await fetch(`${server.url}/ai/audit/verify`, { headers: { "x-api-key": key } });
    expect(await verify.json()).toMatchObject({ ok: true, firstBadSeq: null });
  });

  it("indexes the checkout through the running app, and its code is found by search", async () => {
    const out = (await cli(server, "index")).join("\n");
    const folder = path.basename(repo);
    expect(out).toMatch(new RegExp(`local/${folder} @ [0-9a-f]{12}: indexed in`));
    expect(out).toMatch(/files: 2 added, 0 changed, 0 removed/);
    const searcher = (await cli(server, "keys", "create", "--client", "e2e-search", "--scopes", "github:read", "--owner", "admin@localhost")).pop()!;
    const res = await fetch(`${server.url}/ai/github/search?q=refundInvoice`, { headers: { "x-api-key": searcher } });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { repo: string; path: string }[] };
    expect(results[0]).toMatchObject({ repo: `local/${folder}`, path: "src/refunds.ts" });
    // a second run reads nothing that did not change
    expect((await cli(server, "index")).join("\n")).toMatch(/files: 0 added, 0 changed, 0 removed, \d+ skipped, 2 unchanged/);
  });

  it("the key survives a restart, and a revoked key stops working at once", async () => {
    const { dataDir, port } = server;
    await server.stop();
    server = await startApp({ dataDir, port, env: { REPO_PATH: repo } });
    expect((await fetch(`${server.url}/ai/status`, { headers: { "x-api-key": key } })).status).toBe(200);
    await cli(server, "keys", "revoke", key.slice(0, 11));
    const res = await fetch(`${server.url}/ai/status`, { headers: { "x-api-key": key } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);
  });

  it("opens the database itself when no app holds it", async () => {
    const { dataDir, env } = server;
    await server.stop();
    const { stdout } = await run(process.execPath, ["bin/orchestrator.mjs", "keys", "list", "--all"], { env: { ...env, DATA_DIR: dataDir } });
    expect(stdout).toMatch(/revoked/);
    const indexed = await run(process.execPath, ["bin/orchestrator.mjs", "index"], { env: { ...env, DATA_DIR: dataDir, REPO_PATH: repo } });
    expect(indexed.stdout).toMatch(/files: 0 added, 0 changed, 0 removed, \d+ skipped, 2 unchanged/);
    server = await startApp({ dataDir });
  });
});
