import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "@/cli/cursor/sse";
import { TempGitRepo } from "../support/git-repo";
import { startApp, type AppServer } from "./support/server";

/**
 * The real command and the real app: `orchestrator cursor sync` run from a git checkout finds the app
 * running on this machine's embedded database (no ORCHESTRATOR_URL) and pushes the checkout; the
 * context stream of the running app resumes from Last-Event-ID.
 */
const run = promisify(execFile);
const BIN = path.resolve("bin/orchestrator.mjs");

let server: AppServer;
let key: string;
const repo = new TempGitRepo();

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, [BIN, ...args], {
    cwd: repo.dir,
    env: { ...process.env, DATABASE_URL: "", POSTGRES_URL: "", REDIS_URL: "", ORCHESTRATOR_URL: "", DATA_DIR: server.dataDir, ...env },
    timeout: 120_000,
  });
}

beforeAll(async () => {
  server = await startApp();
  const created = await cli(["keys", "create", "--client", "cursor-e2e", "--scopes", "cursor:write,context:read,context:write", "--owner", "admin@localhost"], {});
  key = created.stdout.trim().split("\n").pop()!;
  repo.write({ "src/app.ts": "export function app() {\n  return 1;\n}\n" }).commit("first");
  repo.git("checkout", "-q", "-b", "feature/e2e");
  repo.write({ "src/app.ts": "export function app() {\n  return 2;\n}\n" });
});
afterAll(async () => {
  await server?.stop();
  repo.cleanup();
});

describe("cursor sync and the context stream on a running app", () => {
  it("pushes the checkout the command runs in, to the app found through its admin link", async () => {
    const { stdout } = await cli(["cursor", "sync", "--session", "e2e-1"], { ORCHESTRATOR_API_KEY: key });
    expect(stdout).toMatch(/pushed session e2e-1 v1: local\/oo-git-\w+@feature\/e2e/);
    const res = await fetch(`${server.url}/ai/cursor/session?sessionId=e2e-1`, { headers: { "x-api-key": key } });
    expect(res.status).toBe(200);
    const session = (await res.json()) as { branch: string; activeFile: string; changedFiles: { path: string; symbols: string[] }[] };
    expect(session).toMatchObject({ branch: "feature/e2e", activeFile: "src/app.ts" });
    expect(session.changedFiles).toEqual([expect.objectContaining({ path: "src/app.ts", symbols: ["app"] })]);

    const refused = await cli(["cursor", "sync", "--session", "e2e-1"], { ORCHESTRATOR_API_KEY: `oo_${"Z".repeat(43)}` }).catch((err: { code: number; stderr: string }) => err);
    expect(refused).toMatchObject({ code: 3 });
    expect((refused as { stderr: string }).stderr).toMatch(/refused the API key \(401\)/);
  });

  it("streams context changes as SSE and resumes after a reconnect from Last-Event-ID", async () => {
    const put = (value: unknown) =>
      fetch(`${server.url}/ai/context`, { method: "PUT", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify({ scope: "global", key: "e2e/stream", value }) });
    const first = new AbortController();
    const res = await fetch(`${server.url}/ai/context/stream?scope=global`, { headers: { "x-api-key": key }, signal: first.signal });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = readSse(res.body!);
    expect((await events.next()).value).toMatchObject({ event: "ready" });
    expect((await put({ n: 1 })).status).toBe(200);
    const one = (await events.next()).value!;
    expect(one.event).toBe("put");
    expect(JSON.parse(one.data)).toMatchObject({ key: "e2e/stream", entry: { value: { n: 1 } } });
    first.abort();

    expect((await put({ n: 2 })).status).toBe(200);
    const again = await fetch(`${server.url}/ai/context/stream?scope=global`, { headers: { "x-api-key": key, "last-event-id": one.id! } });
    const resumed = readSse(again.body!);
    expect((await resumed.next()).value).toMatchObject({ event: "ready", id: one.id });
    const two = (await resumed.next()).value!;
    expect(JSON.parse(two.data)).toMatchObject({ entry: { value: { n: 2 } } });
    await again.body!.cancel().catch(() => {});
  });
});
