import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { handleRest } from "@/server/api/rest";
import { setDeps, type Deps } from "@/server/deps";

/** /ai/github/* as GPT sees it (over a local checkout): each status the operations answer. */
let deps: Deps;
let dir: string;
let reader: string;
let other: string;

async function rest(pathname: string, opts: { key?: string; query?: Record<string, string> } = {}) {
  const url = new URL(`http://test.local/ai${pathname}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const res = await handleRest(new Request(url, { headers: opts.key ? { "x-api-key": opts.key } : {} }));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("REST /ai/github", () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "gh-rest-"));
    const sh = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });
    sh("init", "-q", "-b", "main");
    sh("config", "user.email", "rest@example.com");
    sh("config", "user.name", "Rest");
    writeFileSync(path.join(dir, "index.js"), "console.log(1);\n");
    sh("add", ".");
    sh("commit", "-q", "-m", "only commit");
    deps = await testDeps({ REPO_PATH: dir });
    setDeps(deps);
    reader = (await makeKey(deps, ["github:read"])).key;
    other = (await makeKey(deps, ["context:read"])).key;
  });
  afterAll(async () => {
    await deps.db.repo.deleteMany({ where: { localPath: dir } });
    await deps.events.close();
    await closeDeps(deps);
    rmSync(dir, { recursive: true, force: true });
  });

  it("200 with github:read on repo, commits and runs", async () => {
    const repo = await rest("/github/repo", { key: reader });
    expect(repo.status).toBe(200);
    expect(repo.body).toMatchObject({ source: "local", defaultBranch: "main", languages: [{ language: "JavaScript" }] });
    const commits = await rest("/github/commits", { key: reader, query: { limit: "5" } });
    expect(commits.status).toBe(200);
    expect(commits.body.items).toHaveLength(1);
    expect(commits.body.items[0]).toMatchObject({ message: "only commit", filesChanged: 1, additions: 1 });
    const runs = await rest("/github/runs", { key: reader });
    expect(runs.status).toBe(200);
    expect(runs.body.items).toEqual([]);
  });

  it("401 without a key, 403 with a key lacking github:read", async () => {
    for (const p of ["/github/repo", "/github/commits", "/github/runs"]) {
      expect((await rest(p)).status).toBe(401);
      const denied = await rest(p, { key: other });
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("github:read") });
    }
  });

  it("a page stays under GPT's 100,000-character limit; the cursor continues where the cut was", async () => {
    const sh = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });
    for (let i = 0; i < 40; i++) sh("commit", "-q", "--allow-empty", "-m", `bulk ${i}\n\n${"long body ".repeat(400)}`);
    const first = await rest("/github/commits", { key: reader, query: { limit: "50" } });
    expect(first.status).toBe(200);
    expect(JSON.stringify(first.body).length).toBeLessThan(100_000);
    expect(first.body.items.length).toBeLessThan(41);
    expect(first.body.nextCursor).toMatch(/^[0-9a-f]{40}\.\d+$/);
    const second = await rest("/github/commits", { key: reader, query: { limit: "50", cursor: first.body.nextCursor } });
    const messages = [...first.body.items, ...second.body.items].map((c: { message: string }) => c.message.split("\n")[0]);
    expect(messages).toEqual([...Array.from({ length: 40 }, (_, i) => `bulk ${39 - i}`), "only commit"]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("400 on malformed filters, 404 on an unknown repository", async () => {
    const cases: Record<string, string>[] = [{ repo: "not a repo" }, { branch: "--upload-pack=x" }, { since: "yesterday" }, { cursor: "12" }, { limit: "500" }, { path: "../etc" }];
    for (const query of cases) {
      const r = await rest("/github/commits", { key: reader, query });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.error.code).toBe("BAD_REQUEST");
    }
    const missing = await rest("/github/repo", { key: reader, query: { repo: "acme/unknown" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/No registered repository acme\/unknown/);
  });
});
