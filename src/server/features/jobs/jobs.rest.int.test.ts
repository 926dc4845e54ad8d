import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobDefinitions } from "@/server/api/jobs";
import { prometheusText } from "@/server/api/prometheus";
import { handleRest } from "@/server/api/rest";
import { SnapshotCache } from "@/server/core/snapshot";
import { setDeps, type Deps } from "@/server/deps";
import { runAttempt } from "@/server/jobs/execute";
import { registerJobs } from "@/server/jobs/registry";
import { processQueue } from "@/server/jobs/runner";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { caller, errorOf, makeAgent, makeUser } from "../../../../tests/support/intents";
import { lateJob } from "../../../../tests/support/test-jobs";

/**
 * The cron monitor as its clients see it: /ai/jobs (metrics:read), the late job in /ai/status and in
 * /api/metrics, and Run now for operators only (audited).
 */
let deps: Deps;
let key: string;

beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
  registerJobs([...jobDefinitions, lateJob]);
  await deps.db.jobRun.deleteMany({ where: { job: lateJob.name } });
  const ago = (min: number) => new Date(Date.now() - min * 60_000);
  await deps.db.jobRun.createMany({
    data: [
      {
        job: lateJob.name,
        queueJobId: `rest-late-1-${Date.now()}`,
        attempt: 1,
        trigger: "schedule",
        status: "succeeded",
        instanceId: "test",
        startedAt: ago(10),
        finishedAt: ago(10),
        deadlineAt: ago(10),
        durationMs: 3,
      },
      {
        job: lateJob.name,
        queueJobId: `rest-late-2-${Date.now()}`,
        attempt: 1,
        trigger: "schedule",
        status: "failed",
        instanceId: "test",
        startedAt: ago(9),
        finishedAt: ago(9),
        deadlineAt: ago(9),
        durationMs: 3,
        error: "boom",
      },
    ],
  });
  key = (await makeKey(deps, ["metrics:read"])).key;
});
afterAll(async () => {
  await deps.db.jobRun.deleteMany({ where: { job: lateJob.name } });
  await closeDeps(deps);
});

const get = (path: string, apiKey?: string) => handleRest(new Request(`http://localhost${path}`, { headers: apiKey ? { "x-api-key": apiKey } : {} }));

describe("cron monitor", () => {
  it("GET /ai/jobs lists every job; the one without a recent success is late", async () => {
    const res = await get("/ai/jobs", key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { jobs: { name: string; late: boolean; failuresInRow: number; schedule: string | null; lastRun: { status: string; error: string } | null }[]; late: string[] };
    expect(body.jobs.map((j) => j.name)).toEqual(expect.arrayContaining(["probe", "index-repos", "intents-sweep", "test-late"]));
    expect(body.jobs.find((j) => j.name === "test-late")).toMatchObject({ late: true, failuresInRow: 1, schedule: "* * * * *", lastRun: { status: "failed", error: "boom" } });
    expect(body.late).toContain("test-late");
  });

  it("GET /ai/jobs: 401 without a key, 403 without metrics:read", async () => {
    expect((await get("/ai/jobs")).status).toBe(401);
    const other = (await makeKey(deps, ["context:read"])).key;
    const res = await get("/ai/jobs", other);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
  });

  it("/ai/status and /api/metrics show the late job", async () => {
    const status = (await (await get("/ai/status", key)).json()) as { jobs: { total: number; late: { name: string }[] } };
    expect(status.jobs.late.map((j) => j.name)).toContain("test-late");
    expect(status.jobs.total).toBeGreaterThanOrEqual(4);
    const { text } = await prometheusText(deps);
    expect(text).toMatch(/^oo_job_late\{job="test-late"\} 1$/m);
    expect(text).toMatch(/^oo_job_last_success_timestamp_seconds\{job="test-late"\} \d{10}$/m);
    expect(text).toMatch(/^oo_job_runs_total\{job="test-late",outcome="failed"\} 1$/m);
  });

  it("the monitor is shared for a moment, with its age; a run on this instance shows at the next read", async () => {
    type Jobs = { jobs: { name: string; late: boolean; lastRun: { status: string } | null }[]; asOf: string };
    const read = async () => (await (await get("/ai/jobs", key)).json()) as Jobs;
    const testLate = (b: Jobs) => b.jobs.find((j) => j.name === "test-late");
    const running = deps.snapshots;
    deps.snapshots = new SnapshotCache(512, () => 1_000); // its clock stands still: only a run can forget it
    try {
      const before = await read();
      expect(testLate(before)).toMatchObject({ late: true });
      const now = new Date();
      // another instance's run: this one's snapshot is not told, and is kept (at most 2 s in real time)
      await deps.db.jobRun.create({
        data: {
          job: lateJob.name,
          queueJobId: `rest-late-3-${Date.now()}`,
          attempt: 1,
          trigger: "schedule",
          status: "succeeded",
          instanceId: "other",
          startedAt: now,
          finishedAt: now,
          deadlineAt: now,
          durationMs: 1,
        },
      });
      expect(await read()).toEqual(before);

      await runAttempt(deps, lateJob, { queueJobId: randomUUID(), attempt: 1, trigger: "manual" });
      const after = await read();
      expect(testLate(after)).toMatchObject({ late: false, lastRun: { status: "succeeded" } });
      expect(((await (await get("/ai/status", key)).json()) as { jobs: { late: { name: string }[] } }).jobs.late.map((j) => j.name)).not.toContain("test-late");
    } finally {
      deps.snapshots = running;
    }
  });

  it("Run now: an operator queues the job (audited); a viewer and an API key cannot", async () => {
    const operator = await makeUser(deps, "operator");
    const out = await caller(deps, operator).jobs.runNow({ name: "test-late" });
    expect(out).toMatchObject({ job: "test-late", mode: "queued" });
    await (await processQueue(deps)).boss.cancel("test-late", out.queueJobId);
    const audit = await deps.db.auditEvent.findFirst({ where: { action: "jobs.runNow", actorId: operator.id }, orderBy: { seq: "desc" } });
    expect(audit).toMatchObject({ outcome: "success", resourceType: "job" });
    expect(await errorOf(caller(deps, operator).jobs.runNow({ name: "constructor" }))).toMatchObject({ code: "NOT_FOUND" });
    const viewer = await makeUser(deps, "viewer");
    expect(await errorOf(caller(deps, viewer).jobs.runNow({ name: "test-late" }))).toMatchObject({ code: "FORBIDDEN" });
    const agent = await makeAgent(deps);
    expect(await errorOf(caller(deps, agent.actor).jobs.runNow({ name: "test-late" }))).toMatchObject({ code: "FORBIDDEN" });
  });
});
