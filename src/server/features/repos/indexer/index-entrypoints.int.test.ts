import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdminCommand } from "@/server/api/commands";
import { jobs } from "@/server/api/jobs";
import { systemActor } from "@/server/core/auth/actor";
import { setDeps, type Deps } from "@/server/deps";
import { startJobRunner } from "@/server/jobs/runner";
import { triggerNow } from "@/server/jobs/trigger";
import { closeDeps, testDeps } from "../../../../../tests/support/deps";
import { TempGitRepo } from "../../../../../tests/support/git-repo";
import type { RepoIndexOutcome } from "./jobs";

let deps: Deps;
let repo: TempGitRepo;
let repoId: string;

beforeAll(async () => {
  repo = new TempGitRepo();
  repo.write({ "src/index.ts": "export function hello() {\n  return 'hi';\n}\n", "README.md": "# Hello\n" }).commit();
  repoId = `local/${repo.dir.split("/").pop()}`;
  deps = await testDeps({ REPO_PATH: repo.dir, JOBS_RUNNER: "off" });
  setDeps(deps);
});
afterAll(async () => {
  await deps.db.repo.deleteMany({ where: { id: repoId } });
  await closeDeps(deps);
  repo.cleanup();
});

describe("entry points", () => {
  it("the index-repos job, queued by Run now, is carried out by a worker and indexes the configured repo", async () => {
    const queued = await triggerNow(deps, jobs.get("index-repos")!);
    expect(queued).toMatchObject({ mode: "queued", runId: null });
    const runner = await startJobRunner(deps, jobs, { work: true, schedule: false, pollingSeconds: 0.5 });
    try {
      await expect.poll(async () => (await deps.db.jobRun.findFirst({ where: { queueJobId: queued.queueJobId } }))?.status, { timeout: 30_000, interval: 250 }).toBe("succeeded");
    } finally {
      await runner.stop(1_000);
    }
    const run = await deps.db.jobRun.findFirstOrThrow({ where: { queueJobId: queued.queueJobId } });
    expect(run).toMatchObject({ trigger: "manual", attempt: 1, result: { repos: [{ repo: repoId, status: "succeeded", added: 2, changed: 0, removed: 0 }] } });
    expect(await deps.db.repo.findUniqueOrThrow({ where: { id: repoId } })).toMatchObject({ source: "local", indexState: "ready", localPath: repo.dir });
    expect(await deps.db.indexRun.count({ where: { repoId, trigger: "cron", status: "succeeded" } })).toBe(1);
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
