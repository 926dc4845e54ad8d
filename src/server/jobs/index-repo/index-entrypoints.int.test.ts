import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdminCommand } from "@/server/api/admin";
import { handleCron } from "@/server/api/cron";
import { systemActor } from "@/server/core/auth/actor";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { TempGitRepo } from "../../../../tests/support/git-repo";
import type { RepoIndexOutcome } from "./jobs";

const SECRET = `cron-${randomUUID()}`;
let deps: Deps;
let repo: TempGitRepo;
let repoId: string;

beforeAll(async () => {
  repo = new TempGitRepo();
  repo.write({ "src/index.ts": "export function hello() {\n  return 'hi';\n}\n", "README.md": "# Hello\n" }).commit();
  repoId = `local/${repo.dir.split("/").pop()}`;
  deps = await testDeps({ CRON_SECRET: SECRET, REPO_PATH: repo.dir });
  setDeps(deps);
});
afterAll(async () => {
  await deps.db.repo.deleteMany({ where: { id: repoId } });
  await closeDeps(deps);
  repo.cleanup();
});

const cron = (auth?: string) => handleCron(new Request("http://localhost/api/cron/index-repos", { method: "POST", headers: auth ? { authorization: auth } : {} }), "index-repos");

describe("entry points", () => {
  it("/api/cron/index-repos refuses a missing or wrong secret, then indexes the configured repo incrementally", async () => {
    expect((await cron()).status).toBe(401);
    expect((await cron("Bearer wrong")).status).toBe(401);
    const res = await cron(`Bearer ${SECRET}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ job: "index-repos", repos: [{ repo: repoId, status: "succeeded", added: 2, changed: 0, removed: 0 }] });
    expect(await deps.db.repo.findUniqueOrThrow({ where: { id: repoId } })).toMatchObject({ source: "local", indexState: "ready", localPath: repo.dir });
    const again = await (await cron(`Bearer ${SECRET}`)).json();
    expect(again.repos[0]).toMatchObject({ status: "succeeded", added: 0, changed: 0 });
    expect(await deps.db.indexRun.count({ where: { repoId, trigger: "cron", status: "succeeded" } })).toBe(2);
  });

  it("the CLI's index command (same function through the admin link) reports progress and the summary; --repo must be known", async () => {
    repo.write({ "src/index.ts": "export function hello() {\n  return 'hello';\n}\n" }).commit();
    const progress: number[] = [];
    const call = { actor: systemActor("cli"), requestId: randomUUID(), surface: "cli" as const };
    const out = (await runAdminCommand(deps, call, { op: "index.run", repo: repoId, full: false }, { onIndexProgress: (_r, p) => progress.push(p.done) })) as RepoIndexOutcome[];
    expect(out).toMatchObject([{ repoId, status: "succeeded", result: { changed: 1, added: 0, unchanged: 1 } }]);
    expect(progress.at(-1)).toBe(1);
    await expect(runAdminCommand(deps, call, { op: "index.run", repo: "acme/nope", full: false })).rejects.toThrow(/No configured repository acme\/nope; configured: local\//);
    expect(await runAdminCommand(deps, call, { op: "index.progress" })).toEqual([]);
  });
});
