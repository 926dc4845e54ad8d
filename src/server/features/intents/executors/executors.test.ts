import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubFake, type GitHubFake } from "../../../../../tests/fakes/github";
import { CloudwaysExecutor } from "./cloudways";
import { GitHubExecutor } from "./github";
import type { ExecutionJob } from "./types";

/** Each executor against a local fake of its API, and in dry-run (no credentials) recording what it would send. */
const TOKEN = "ghp_test";
const deploy: ExecutionJob = { action: "deploy", target: { repo: "acme/web", ref: "release-1", environment: "production" }, params: { workflow: "deploy.yml", inputs: { note: "hi" } } };
const long = () => AbortSignal.timeout(10_000);

describe("GitHub executor", () => {
  let gh: GitHubFake;
  beforeAll(async () => {
    gh = await startGitHubFake(TOKEN);
  });
  afterAll(() => gh.close());

  it("dry-run records exactly the workflow_dispatch it would send, and sends nothing", async () => {
    const out = await new GitHubExecutor({ baseUrl: gh.url }).execute(deploy, long());
    expect(out).toMatchObject({ ok: true, dryRun: true });
    expect(out.requests).toEqual([
      { method: "POST", url: `${gh.url}/repos/acme/web/actions/workflows/deploy.yml/dispatches`, body: { ref: "release-1", inputs: { note: "hi", environment: "production" } } },
    ]);
    expect(gh.requests).toHaveLength(0);
  });

  it("sends the recorded request to GitHub with the token", async () => {
    const out = await new GitHubExecutor({ token: TOKEN, baseUrl: gh.url }).execute({ ...deploy, action: "rollback", params: { workflow: "deploy.yml", version: "v1.0.0" } }, long());
    expect(out).toMatchObject({ ok: true, dryRun: false, summary: "Dispatched deploy.yml on release-1 for production" });
    const sent = gh.requests.at(-1)!;
    expect(sent).toEqual({
      method: "POST",
      path: "/repos/acme/web/actions/workflows/deploy.yml/dispatches",
      body: { ref: "release-1", inputs: { environment: "production", version: "v1.0.0" } },
      authorization: `token ${TOKEN}`,
    });
    expect(out.requests[0]!.body).toEqual(sent.body);
  });

  it("merges a pull request only into the approved base branch, pinned to the head it read", async () => {
    gh.pulls.set(7, { base: "main", head: "a".repeat(40) });
    gh.pulls.set(8, { base: "develop", head: "b".repeat(40) });
    const ex = new GitHubExecutor({ token: TOKEN, baseUrl: gh.url });
    const merged = await ex.execute({ action: "merge_pr", target: { repo: "acme/web", ref: "main" }, params: { pullNumber: 7, method: "squash" } }, long());
    expect(merged).toMatchObject({ ok: true, response: { merged: true } });
    expect(gh.requests.at(-1)).toMatchObject({ method: "PUT", path: "/repos/acme/web/pulls/7/merge", body: { merge_method: "squash", sha: "a".repeat(40) } });
    const before = gh.requests.length;
    const refused = await ex.execute({ action: "merge_pr", target: { repo: "acme/web", ref: "main" }, params: { pullNumber: 8, method: "merge" } }, long());
    expect(refused).toMatchObject({ ok: false, summary: expect.stringMatching(/base branch/) });
    expect(gh.requests.slice(before).map((r) => r.method)).toEqual(["GET"]);
    const moved = await ex.execute({ action: "merge_pr", target: { repo: "acme/web", ref: "main" }, params: { pullNumber: 7, method: "merge", expectedHeadSha: "c".repeat(40) } }, long());
    expect(moved).toMatchObject({ ok: false, error: expect.stringMatching(/modified/) });
  });

  it("opens an issue", async () => {
    const out = await new GitHubExecutor({ token: TOKEN, baseUrl: gh.url }).execute({ action: "create_issue", target: { repo: "acme/web" }, params: { title: "Flaky test", labels: ["ci"] } }, long());
    expect(out).toMatchObject({ ok: true, summary: expect.stringMatching(/^Opened issue #\d+/) });
    expect(gh.requests.at(-1)).toMatchObject({ method: "POST", path: "/repos/acme/web/issues", body: { title: "Flaky test", labels: ["ci"] } });
  });

  it("fails (never hangs) when GitHub is slower than the timeout, and says so", async () => {
    gh.delayMs = 2_000;
    try {
      const out = await new GitHubExecutor({ token: TOKEN, baseUrl: gh.url }).execute(deploy, AbortSignal.timeout(200));
      expect(out).toMatchObject({ ok: false, dryRun: false });
      expect(out.error).toMatch(/abort|timed out|timeout/i);
    } finally {
      gh.delayMs = 0;
    }
  });

  it("reports a refusal (bad token) as a failed outcome", async () => {
    const out = await new GitHubExecutor({ token: "wrong", baseUrl: gh.url }).execute(deploy, long());
    expect(out).toMatchObject({ ok: false, error: expect.stringMatching(/Bad credentials/) });
  });
});

/** A Cloudways fake: OAuth token, the operation endpoints, and an operation that completes after `polls` polls. */
function cloudwaysFake(opts: { polls: number; fail?: boolean }) {
  const seen: { method: string; path: string; body: string; auth: string | null }[] = [];
  let polled = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      seen.push({ method: req.method ?? "", path, body, auth: req.headers.authorization ?? null });
      res.setHeader("content-type", "application/json");
      if (path === "/oauth/access_token") return res.end(JSON.stringify({ access_token: "cw-token", expires_in: 3600 }));
      if (req.headers.authorization !== "Bearer cw-token") return ((res.statusCode = 401), res.end("{}"));
      if (path.startsWith("/operation/")) {
        polled++;
        const done = polled >= opts.polls;
        return res.end(
          JSON.stringify({ operation: { id: 42, is_completed: done ? "1" : "0", status: done ? (opts.fail ? "Failed" : "Completed") : "Running", message: done && opts.fail ? "disk full" : "" } }),
        );
      }
      res.end(JSON.stringify({ operation_id: 42 }));
    });
  });
  return new Promise<{ url: string; seen: typeof seen; close: () => Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, close: () => new Promise((r) => server.close(() => r())) })),
  );
}

describe("Cloudways executor", () => {
  const purge: ExecutionJob = { action: "purge_cache", target: { server: "123" }, params: {} };

  it("dry-run records the request it would send, without credentials", async () => {
    const out = await new CloudwaysExecutor({ baseUrl: "http://cw.invalid/api/v1" }).execute(purge, long());
    expect(out).toMatchObject({ ok: true, dryRun: true, requests: [{ method: "POST", url: "http://cw.invalid/api/v1/service/varnish", body: { server_id: "123", action: "purge" } }] });
  });

  it("authenticates, starts the operation and polls it until done; never records the credentials", async () => {
    const cw = await cloudwaysFake({ polls: 3 });
    try {
      const ex = new CloudwaysExecutor({ email: "ops@example.com", apiKey: "secret-key", baseUrl: cw.url, pollMs: 10 });
      const out = await ex.execute({ action: "restart_service", target: { server: "123" }, params: { service: "nginx" } }, long());
      expect(out).toMatchObject({ ok: true, dryRun: false, response: { operationId: 42, polls: 3 } });
      expect(cw.seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /oauth/access_token", "POST /service/state", "GET /operation/42", "GET /operation/42", "GET /operation/42"]);
      expect(new URLSearchParams(cw.seen[1]!.body).get("service")).toBe("nginx");
      expect(JSON.stringify(out)).not.toContain("secret-key");
      expect(JSON.stringify(out)).not.toContain("cw-token");
    } finally {
      await cw.close();
    }
  });

  it("a failed operation is a failed outcome; an operation that never ends times out", async () => {
    const failing = await cloudwaysFake({ polls: 1, fail: true });
    const endless = await cloudwaysFake({ polls: Number.MAX_SAFE_INTEGER });
    try {
      const backup: ExecutionJob = { action: "create_backup", target: { server: "123", app: "9" }, params: {} };
      const failed = await new CloudwaysExecutor({ email: "e", apiKey: "k", baseUrl: failing.url, pollMs: 10 }).execute(backup, long());
      expect(failed).toMatchObject({ ok: false, error: "disk full" });
      expect(failing.seen[1]!.path).toBe("/app/manage/takeBackup");
      const slow = await new CloudwaysExecutor({ email: "e", apiKey: "k", baseUrl: endless.url, pollMs: 20 }).execute(backup, AbortSignal.timeout(300));
      expect(slow).toMatchObject({ ok: false });
      expect(slow.error).toMatch(/timed out|abort/i);
    } finally {
      await failing.close();
      await endless.close();
    }
  });
});
