import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubFake, type GitHubFake } from "../../../../tests/fakes/github";
import { addRepo, commit, type FakeRepo, type FakeRun } from "../../../../tests/fakes/github-data";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { appRouter } from "@/server/api/root";
import type { Actor } from "@/server/core/auth/actor";
import { SnapshotCache } from "@/server/core/snapshot";
import { ROLE_PERMISSIONS } from "@/server/core/auth/permissions";
import type { Deps } from "@/server/deps";
import { createContext } from "@/server/trpc/context";
import { syncRepos } from "../repos/registry";
import { acceptDelivery } from "./webhook";

/**
 * github.repo / commits / runs through the procedures (createCaller), once over GitHub (a local fake
 * of its REST API) and once over a real temporary git checkout (no token).
 */
const token = "ghp_feature_" + "b".repeat(30);
const viewer: Actor = { type: "user", id: randomUUID(), email: "viewer@test", role: "viewer", permissions: ROLE_PERMISSIONS.viewer };
const caller = (deps: Deps) => appRouter.createCaller(createContext({ deps, requestId: randomUUID(), surface: "trpc", ip: null, actor: viewer }));

function run(id: number, workflow: string, conclusion: string | null, startedAt: string, minutes: number, branch = "main"): FakeRun {
  const updated = new Date(Date.parse(startedAt) + minutes * 60_000).toISOString();
  return {
    id,
    name: workflow,
    workflow_id: workflow.length,
    head_branch: branch,
    head_sha: "a".repeat(40),
    event: "push",
    status: conclusion ? "completed" : "in_progress",
    conclusion,
    run_number: id,
    run_attempt: 1,
    created_at: startedAt,
    run_started_at: startedAt,
    updated_at: updated,
    html_url: `https://github.com/acme/runs/${id}`,
  };
}

describe("github procedures over GitHub", () => {
  let fake: GitHubFake;
  let deps: Deps;
  let repo: FakeRepo;
  const repoId = `acme/web-${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    fake = await startGitHubFake(token);
    repo = addRepo(fake.data, repoId, { description: "The web app", languages: { TypeScript: 7000, CSS: 3000 }, openPulls: 7, openIssuesCount: 10 });
    commit(fake.data, repo, { files: { "README.md": "1" }, message: "init", author: { login: "alice", email: "alice@example.com", date: "2026-11-01T10:00:00Z" } });
    commit(fake.data, repo, {
      files: { "src/a.ts": "2" },
      message: "add a",
      author: { login: "bob", email: "bob@example.com", date: "2026-11-02T10:00:00Z" },
      stats: [{ filename: "src/a.ts", additions: 10, deletions: 2 }],
    });
    commit(fake.data, repo, {
      files: { "src/b.ts": "3", "docs/x.md": "4" },
      message: "add b\n\nlong body",
      author: { login: "alice", email: "alice@example.com", date: "2026-11-03T10:00:00Z" },
      stats: [
        { filename: "src/b.ts", additions: 5, deletions: 0 },
        { filename: "docs/x.md", additions: 1, deletions: 1 },
      ],
    });
    const now = Date.now();
    const ago = (h: number) => new Date(now - h * 3600_000).toISOString();
    repo.runs = [
      run(1, "CI", "success", ago(50), 4),
      run(2, "CI", "failure", ago(40), 6),
      run(3, "CI", "success", ago(30), 10),
      run(4, "CI", "cancelled", ago(20), 1),
      run(5, "Deploy", "success", ago(10), 3),
      run(6, "Deploy", null, ago(1), 0),
      run(7, "CI", "failure", ago(24 * 30), 5),
    ];
    deps = await testDeps({ GITHUB_TOKEN: token, GITHUB_REPO: repoId, GITHUB_API_URL: fake.url });
    // the snapshots' clock stands still: an answer stays shared however slow the machine, until a delivery forgets it
    deps.snapshots = new SnapshotCache(512, () => 1_000);
  });
  const deliver = (event: string, fullName: string, extra: Record<string, unknown> = {}) =>
    acceptDelivery(deps, { id: randomUUID(), event, payload: { repository: { full_name: fullName }, ...extra }, requestId: randomUUID(), ip: null });
  afterAll(async () => {
    await deps.db.repo.deleteMany({ where: { id: repoId } });
    await closeDeps(deps);
    await fake.close();
  });

  it("syncRepos registers each GITHUB_REPO with its default branch, audited once", async () => {
    const [row] = (await Promise.all([syncRepos(deps), syncRepos(deps), syncRepos(deps)]))[0]!;
    expect(row).toMatchObject({ id: repoId, source: "github", defaultBranch: "main", htmlUrl: `https://github.com/${repoId}`, indexState: "never" });
    await syncRepos(deps);
    expect(await deps.db.auditEvent.count({ where: { action: "repo.register", target: repoId } })).toBe(1);
  });

  it("repo: metadata, languages by share, open PRs from the Link header, issues without PRs, head commit", async () => {
    const info = await caller(deps).github.repo({});
    expect(info).toMatchObject({
      repo: repoId,
      source: "github",
      description: "The web app",
      defaultBranch: "main",
      openPullRequests: 7,
      openIssues: 3,
      lastPushAt: "2026-11-20T10:00:00Z",
      note: null,
      index: { state: "never" },
    });
    expect(info.languages).toEqual([
      { language: "TypeScript", bytes: 7000, share: 0.7 },
      { language: "CSS", bytes: 3000, share: 0.3 },
    ]);
    expect(info.headCommit).toMatchObject({ sha: repo.branches.main, message: "add b\n\nlong body" });
  });

  it("commits: newest first with file counts, cursor pages pinned to the first head, filters", async () => {
    const page1 = await caller(deps).github.commits({ limit: 2 });
    expect(page1.items.map((c) => c.message)).toEqual(["add b\n\nlong body", "add a"]);
    expect(page1.items[0]).toMatchObject({ author: { login: "alice", email: "alice@example.com" }, filesChanged: 2, additions: 6, deletions: 1 });
    expect(page1.items[1]).toMatchObject({ filesChanged: 1, additions: 10, deletions: 2 });
    expect(page1.nextCursor).toBe(`${repo.branches.main}.2`);

    commit(fake.data, repo, { files: { "new.ts": "5" }, message: "pushed meanwhile" });
    const page2 = await caller(deps).github.commits({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((c) => c.message)).toEqual(["init"]);
    expect(page2.nextCursor).toBeNull();

    expect((await caller(deps).github.commits({ author: "bob" })).items.map((c) => c.message)).toEqual(["add a"]);
    expect((await caller(deps).github.commits({ path: "docs" })).items.map((c) => c.message)).toEqual(["add b\n\nlong body"]);
    expect((await caller(deps).github.commits({ since: "2026-11-02T00:00:00Z", until: "2026-11-02T23:59:59Z" })).items.map((c) => c.message)).toEqual(["add a"]);
  });

  it("commits: an unknown branch is 404; an unregistered repo is 404 naming the known ones", async () => {
    await expect(caller(deps).github.commits({ branch: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller(deps).github.commits({ repo: "someone/else" })).rejects.toThrow(new RegExp(`known: .*${repoId}`));
  });

  it("answers are shared until a webhook delivery for the repository: a push shows new commits, an edit the new description", async () => {
    const info = await caller(deps).github.repo({});
    const first = await caller(deps).github.commits({ limit: 1 });
    const asked = fake.requests.length;
    commit(fake.data, repo, { files: { "later.ts": "6" }, message: "pushed later" });
    expect(await caller(deps).github.repo({})).toEqual(info);
    expect(await caller(deps).github.commits({ limit: 1 })).toEqual(first);
    expect(fake.requests.length).toBe(asked); // not even a conditional request

    await deliver("push", "someone/else", { ref: "refs/heads/main" }); // another repository's: nothing forgotten
    expect(await caller(deps).github.commits({ limit: 1 })).toEqual(first);

    await deliver("push", repoId.toUpperCase(), { ref: "refs/heads/main", after: repo.branches.main });
    expect((await caller(deps).github.commits({ limit: 1 })).items[0]).toMatchObject({ message: "pushed later" });
    expect((await caller(deps).github.repo({})).headCommit).toMatchObject({ message: "pushed later" });

    repo.description = "The web app, renamed";
    expect((await caller(deps).github.repo({})).description).toBe("The web app");
    await deliver("repository", repoId, { action: "edited" });
    expect((await caller(deps).github.repo({})).description).toBe("The web app, renamed");
  });

  it("an exhausted GitHub rate limit (reset in an hour) fails at once as 429 with the wait", async () => {
    await deliver("push", repoId, { ref: "refs/heads/feature" }); // forgets the shared answers: the next read asks GitHub
    fake.data.rateLimits.push({ kind: "primary", resetInSeconds: 3600 });
    const started = Date.now();
    await expect(caller(deps).github.repo({})).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/try again in \d+ s/) });
    expect(Date.now() - started).toBeLessThan(2000);
    fake.data.rateLimits.length = 0;
  });

  it("runs: the window's runs with durations, and failure rate and median duration per workflow", async () => {
    const page = await caller(deps).github.runs({ limit: 3 });
    expect(page.items.map((r) => r.id)).toEqual([6, 5, 4]);
    expect(page.items[1]).toMatchObject({ workflow: "Deploy", status: "completed", conclusion: "success", durationSeconds: 180, branch: "main", event: "push" });
    expect(page.items[0]!.durationSeconds).toBeNull();
    expect(page.nextCursor).toBe("3");
    const ci = page.summary.find((s) => s.workflow === "CI")!;
    // run 7 is outside the default 7-day window; cancelled runs count as completed but neither success nor failure
    expect(ci).toEqual({ workflow: "CI", runs: 4, completed: 4, failures: 1, failureRate: 0.333, medianDurationSeconds: 300 });
    expect(page.summary.find((s) => s.workflow === "Deploy")).toEqual({ workflow: "Deploy", runs: 2, completed: 1, failures: 0, failureRate: 0, medianDurationSeconds: 180 });
    const rest = await caller(deps).github.runs({ limit: 3, cursor: page.nextCursor! });
    expect(rest.items.map((r) => r.id)).toEqual([3, 2, 1]);
    expect(rest.nextCursor).toBeNull();

    const deploys = await caller(deps).github.runs({ workflow: "Deploy" });
    expect(deploys.items.map((r) => r.id)).toEqual([6, 5]);
    await expect(caller(deps).github.runs({ since: "2026-12-01T00:00:00Z", until: "2026-11-01T00:00:00Z" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("github procedures over the local checkout", () => {
  let dir: string;
  let deps: Deps;
  const sh = (...args: string[]) =>
    execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_DATE: "2026-11-05T12:00:00Z", GIT_COMMITTER_DATE: "2026-11-05T12:00:00Z" } });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "gh-local-"));
    sh("init", "-q", "-b", "trunk");
    sh("config", "user.email", "dev@example.com");
    sh("config", "user.name", "Dev One");
    mkdirSync(path.join(dir, "src"));
    writeFileSync(path.join(dir, "src/app.ts"), "export const a = 1;\nexport const b = 2;\n");
    writeFileSync(path.join(dir, "README.md"), "# local\n");
    sh("add", ".");
    sh("commit", "-q", "-m", "first commit");
    writeFileSync(path.join(dir, "src/app.ts"), "export const a = 1;\n");
    writeFileSync(path.join(dir, "style.css"), "body{}\n");
    sh("add", ".");
    sh("commit", "-q", "-m", "second\n\nwith a body");
    deps = await testDeps({ REPO_PATH: path.join(dir, "src") });
  });
  afterAll(async () => {
    await deps.db.repo.deleteMany({ where: { localPath: dir } });
    await closeDeps(deps);
    rmSync(dir, { recursive: true, force: true });
  });

  it("repo: branch, head commit, languages by extension, null PR/issue counts with a note", async () => {
    const info = await caller(deps).github.repo({});
    expect(info).toMatchObject({
      repo: `local/${path.basename(dir)}`,
      source: "local",
      defaultBranch: "trunk",
      openPullRequests: null,
      openIssues: null,
      lastPushAt: null,
      headCommit: { message: "second\n\nwith a body", date: "2026-11-05T12:00:00.000Z" },
    });
    expect(info.note).toMatch(/Local git checkout/);
    expect(info.languages.map((l) => l.language)).toEqual(["TypeScript", "Markdown", "CSS"]);
  });

  it("commits: git log --numstat counts, pages, path and author filters", async () => {
    const page1 = await caller(deps).github.commits({ limit: 1 });
    expect(page1.items[0]).toMatchObject({ message: "second\n\nwith a body", author: { name: "Dev One", email: "dev@example.com", login: null }, filesChanged: 2, additions: 1, deletions: 1 });
    const page2 = await caller(deps).github.commits({ limit: 1, cursor: page1.nextCursor! });
    expect(page2.items[0]).toMatchObject({ message: "first commit", filesChanged: 2, additions: 3, deletions: 0 });
    expect(page2.nextCursor).toBeNull();
    expect((await caller(deps).github.commits({ path: "README.md" })).items.map((c) => c.message)).toEqual(["first commit"]);
    expect((await caller(deps).github.commits({ author: "nobody" })).items).toEqual([]);
    await expect(caller(deps).github.commits({ branch: "missing-branch" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("runs: an empty list with a note saying why", async () => {
    const page = await caller(deps).github.runs({});
    expect(page).toMatchObject({ items: [], summary: [], nextCursor: null });
    expect(page.note).toMatch(/GitHub Actions/);
  });
});
