import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "@/server/deps";
import { closeDeps, testDeps } from "../../../tests/support/deps";
import { testDatabaseUrl } from "../../../tests/support/services";
import { hangJob, tickJob } from "../../../tests/support/test-jobs";
import { listJobStatuses } from "./monitor";
import { QUEUE_SCHEMA } from "./queue";
import { validateJobs } from "./registry";
import { startJobRunner, type JobRunner } from "./runner";
import { ticksBetween } from "./schedule";

/**
 * Several instances of the app sharing one queue on the real Postgres, each in a process of its own
 * (the embedded database is one process by design, so this file needs TEST_DATABASE_URL). Every
 * instance sends every due tick of a 10-second schedule; each tick must run exactly once. And a job
 * whose process is SIGKILLed mid-run is retried once, on the other instance, then reported failed.
 */
const url = testDatabaseUrl();
const TICK_WINDOW_MS = Number(process.env.JOBS_TICK_TEST_SECONDS ?? 180) * 1000;

function startInstance(jobs: string[], out: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["tests/support/job-instance.mjs", jobs.join(",")], {
    env: { ...process.env, DATABASE_URL: url, JOBS_TEST_OUT: out, JOBS_MAINTENANCE_SECONDS: "1", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => b.toString().includes("ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`instance exited with ${code}: ${stderr.slice(-2_000)}`)));
  });
}

const lines = (file: string) => {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(" ") as [string, string]);
  } catch {
    return [];
  }
};

describe.skipIf(!url).concurrent("instances sharing one queue (two processes)", () => {
  let deps: Deps;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    deps = await testDeps({ JOBS_MAINTENANCE_SECONDS: "1" });
    dir = mkdtempSync(path.join(tmpdir(), "oo-jobs-"));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await closeDeps(deps);
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs every tick of a 10-second schedule exactly once", { timeout: TICK_WINDOW_MS + 60_000 }, async () => {
    const out = path.join(dir, "ticks");
    children.push(...(await Promise.all([startInstance(["test-tick"], out), startInstance(["test-tick"], out)])));
    const from = new Date();
    await new Promise((r) => setTimeout(r, TICK_WINDOW_MS));
    const to = new Date();
    await new Promise((r) => setTimeout(r, 3_000)); // the last ticks' runs land
    const expected = ticksBetween(tickJob.schedule!, new Date(from.getTime() + 2_000), to).map((t) => t.toISOString());
    const ran = lines(out);
    const perTick = new Map<string, number>();
    for (const [tick] of ran) perTick.set(tick, (perTick.get(tick) ?? 0) + 1);
    expect(expected.length).toBeGreaterThanOrEqual(Math.floor(TICK_WINDOW_MS / 10_000) - 1);
    for (const tick of expected) expect({ tick, runs: perTick.get(tick) ?? 0 }).toEqual({ tick, runs: 1 });
    expect([...perTick.values()].every((n) => n === 1)).toBe(true);
    // Which instance takes a tick is decided by the phase of the two workers' polls, not by the queue: with
    // a 10-second schedule and 2-second polling, one instance can take every tick of the window (seen on a
    // quiet machine), so this test does not ask that both took some. That a job runs on the other instance
    // is the next test's subject.
  });

  it("retries a job killed mid-run once (on the other instance), then reports it failed", { timeout: 120_000 }, async () => {
    const out = path.join(dir, "hang");
    const instances = await Promise.all([startInstance(["test-hang"], out), startInstance(["test-hang"], out)]);
    children.push(...instances);
    const defs = validateJobs([hangJob]);
    // this process only sends and keeps the queue's upkeep (expiring the killed attempts)
    const runner: JobRunner = await startJobRunner(deps, defs, { work: false, schedule: false });
    try {
      const id = (await runner.queue.send("test-hang", { trigger: "manual" }))!;
      const killWhoRan = async (n: number) => {
        await expect.poll(() => lines(out).length, { timeout: 60_000, interval: 100 }).toBe(n);
        const pid = Number(lines(out)[n - 1]![1]);
        const victim = instances.find((c) => c.pid === pid)!;
        victim.kill("SIGKILL");
        return pid;
      };
      const first = await killWhoRan(1);
      const second = await killWhoRan(2);
      expect(second).not.toBe(first);
      await expect
        .poll(async () => ((await runner.queue.boss.getDb().executeSql(`SELECT state FROM ${QUEUE_SCHEMA}.job WHERE id = $1`, [id])).rows[0] as { state: string } | undefined)?.state, {
          timeout: 30_000,
          interval: 500,
        })
        .toBe("failed");
      await expect.poll(async () => (await listJobStatuses(deps, { defs })).find((j) => j.name === "test-hang")?.lastRun?.status, { timeout: 30_000, interval: 500 }).toBe("failed");
      const runs = await deps.db.jobRun.findMany({ where: { queueJobId: id }, orderBy: { attempt: "asc" } });
      expect(runs.map((r) => [r.attempt, r.status, r.instanceId.split(":")[1]])).toEqual([
        [1, "failed", String(first)],
        [2, "failed", String(second)],
      ]);
      for (const r of runs) expect(r.error).toMatch(/^Abandoned/);
      expect((await listJobStatuses(deps, { defs })).find((j) => j.name === "test-hang")).toMatchObject({ failuresInRow: 2, running: 0 });
    } finally {
      await runner.stop(1_000);
    }
  });
});
