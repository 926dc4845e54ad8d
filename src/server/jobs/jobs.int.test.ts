import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "@/server/deps";
import { echoJob, lateJob, throwJob } from "../../../tests/support/test-jobs";
import { closeDeps, testDeps } from "../../../tests/support/deps";
import { listJobStatuses } from "./monitor";
import { deadLetterOf, QUEUE_SCHEMA } from "./queue";
import { validateJobs } from "./registry";
import { processQueue, startJobRunner, type JobRunner } from "./runner";
import { failAbandoned, runSqlOf } from "./runs";

/**
 * The jobs layer in one process on the test database (or the embedded one): a queued job runs and
 * is recorded; a job that throws is retried with backoff and ends in its dead letters with its error;
 * a scheduled job without a recent success is late.
 */
const defs = validateJobs([echoJob, throwJob, lateJob]);

describe("jobs layer", () => {
  let deps: Deps;
  let runner: JobRunner;

  beforeAll(async () => {
    deps = await testDeps({ JOBS_MAINTENANCE_SECONDS: "1" });
    await deps.db.jobRun.deleteMany({ where: { job: { startsWith: "test-" } } });
    // what other test files queued for these jobs (a Run now) is not this file's to run
    const queue = await processQueue(deps, defs);
    for (const name of defs.keys()) await queue.boss.purgeQueue(name);
    runner = await startJobRunner(deps, defs, { work: true, schedule: false, pollingSeconds: 0.5 });
  });
  afterAll(async () => {
    await runner?.stop(1_000);
    await closeDeps(deps);
  });

  const runsOf = (queueJobId: string) => deps.db.jobRun.findMany({ where: { queueJobId }, orderBy: { attempt: "asc" } });

  it("runs a queued job once and records start, end, outcome, duration and the instance", async () => {
    const id = await runner.queue.send("test-echo", { trigger: "manual", data: { n: 1 } });
    expect(id).toBeTruthy();
    await expect.poll(async () => (await runsOf(id!))[0]?.status, { timeout: 15_000, interval: 200 }).toBe("succeeded");
    const [run] = await runsOf(id!);
    expect(run).toMatchObject({ job: "test-echo", attempt: 1, trigger: "manual", status: "succeeded", error: null, result: { echoed: { n: 1 } }, log: ["echo"] });
    expect(run!.instanceId).toContain(`:${process.pid}:`);
    expect(run!.finishedAt!.getTime()).toBeGreaterThanOrEqual(run!.startedAt.getTime());
    expect(run!.durationMs).toBeGreaterThanOrEqual(0);
    // the same id sent again is dropped: a tick sent by two instances runs once
    expect(await runner.queue.send("test-echo", { trigger: "schedule", id: id! })).toBeNull();
  });

  it("retries a job that throws, with backoff, then puts it in the dead letters with its error", async () => {
    const id = await runner.queue.send("test-throw", { trigger: "manual", data: { k: "v" } });
    await expect.poll(async () => (await runsOf(id!)).filter((r) => r.status === "failed").length, { timeout: 40_000, interval: 300 }).toBe(3);
    const runs = await runsOf(id!);
    expect(runs.map((r) => [r.attempt, r.trigger, r.error])).toEqual([
      [1, "manual", "the test job failed on purpose"],
      [2, "retry", "the test job failed on purpose"],
      [3, "retry", "the test job failed on purpose"],
    ]);
    const [job] = (
      await runner.queue.boss
        .getDb()
        .executeSql(
          `SELECT state, retry_count, retry_backoff, retry_delay FROM ${QUEUE_SCHEMA}.job WHERE id = $1 UNION ALL SELECT state, retry_count, retry_backoff, retry_delay FROM ${QUEUE_SCHEMA}.archive WHERE id = $1`,
          [id],
        )
    ).rows as { state: string; retry_count: number; retry_backoff: boolean; retry_delay: number }[];
    expect(job).toMatchObject({ state: "failed", retry_count: 2, retry_backoff: true, retry_delay: 1 });
    await expect.poll(async () => (await runner.queue.deadLetters("test-throw")).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const dead = await runner.queue.deadLetters("test-throw");
    expect(dead.find((d) => JSON.stringify(d.data).includes('"k":"v"'))).toMatchObject({ error: "the test job failed on purpose" });
    expect(deadLetterOf("test-throw")).toBe("test-throw__dead");
    const status = (await listJobStatuses(deps, { defs })).find((j) => j.name === "test-throw")!;
    expect(status.failuresInRow).toBeGreaterThanOrEqual(3);
    expect(status.lastRun).toMatchObject({ status: "failed", attempt: 3 });
  });

  it("calls a scheduled job late when it has not succeeded within twice its interval", async () => {
    const now = new Date();
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
    const row = (id: string, minutesAgo: number, status: string) => ({
      job: "test-late",
      queueJobId: id,
      attempt: 1,
      trigger: "schedule",
      status,
      instanceId: "test",
      startedAt: at(minutesAgo),
      finishedAt: at(minutesAgo),
      deadlineAt: at(minutesAgo),
      durationMs: 1,
    });
    await deps.db.jobRun.createMany({ data: [row("late-1", 5, "succeeded"), row("late-2", 4, "failed"), row("late-3", 3, "failed")] });
    const late = (await listJobStatuses(deps, { defs, now })).find((j) => j.name === "test-late")!;
    expect(late).toMatchObject({ late: true, failuresInRow: 2, intervalSeconds: 60, lastRun: { status: "failed" } });
    expect(late.lastSuccessAt!.getTime()).toBe(at(5).getTime());
    expect(late.nextDueAt!.getTime()).toBeGreaterThan(now.getTime());
    await deps.db.jobRun.create({ data: row("late-4", 1, "succeeded") });
    expect((await listJobStatuses(deps, { defs, now })).find((j) => j.name === "test-late")).toMatchObject({ late: false, failuresInRow: 0 });
  });

  it("reports a run left running past its deadline as failed, with the reason", async () => {
    const long = new Date(Date.now() - 60_000);
    await deps.db.jobRun.create({ data: { job: "test-echo", queueJobId: "orphan", attempt: 1, trigger: "manual", status: "running", instanceId: "gone:1:x", startedAt: long, deadlineAt: long } });
    expect(await failAbandoned(runSqlOf(deps))).toBeGreaterThanOrEqual(1);
    expect(await deps.db.jobRun.findFirst({ where: { queueJobId: "orphan" } })).toMatchObject({ status: "failed", error: expect.stringMatching(/^Abandoned/) });
  });
});
