import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as route from "@/app/api/cron/[job]/route";
import { setDeps, type Deps } from "@/server/deps";
import { QUEUE_SCHEMA } from "@/server/jobs/queue";
import { processQueue, startJobRunner } from "@/server/jobs/runner";
import { lastTick, nextTick, tickJobId } from "@/server/jobs/schedule";
import { closeDeps, testDeps } from "../../../tests/support/deps";
import { TempGitRepo } from "../../../tests/support/git-repo";
import { jobs } from "./jobs";

/**
 * Each cron of vercel.json against the app's cron route: 401 without the secret (or with a wrong
 * one), 2xx with it, and the job's run recorded (run in the call, or queued and run by a worker).
 * vercel.json holds exactly the scheduled jobs, on their own schedules.
 */
const SECRET = `cron-${randomUUID()}`;
const crons = (JSON.parse(readFileSync("vercel.json", "utf8")) as { crons: { path: string; schedule: string }[] }).crons;
let deps: Deps;
let repo: TempGitRepo;

beforeAll(async () => {
  repo = new TempGitRepo();
  repo.write({ "a.ts": "export const a = 1;\n" }).commit();
  deps = await testDeps({ CRON_SECRET: SECRET, REPO_PATH: repo.dir, JOBS_RUNNER: "off" });
  setDeps(deps);
  // an earlier run of this file on the same database (the same day) took the latest ticks: forget them
  const ticks = [...jobs.values()].filter((j) => j.schedule).flatMap((j) => [tickJobId(j.name, lastTick(j.schedule!, new Date())), tickJobId(j.name, nextTick(j.schedule!, new Date()))]);
  await deps.db.jobRun.deleteMany({ where: { queueJobId: { in: ticks } } });
  const queue = await processQueue(deps);
  for (const table of ["job", "archive"]) await queue.boss.getDb().executeSql(`DELETE FROM ${QUEUE_SCHEMA}.${table} WHERE id = ANY($1::uuid[])`, [ticks]);
});
afterAll(async () => {
  await deps.db.repo.deleteMany({ where: { localPath: repo.dir } });
  await closeDeps(deps);
  repo.cleanup();
});

const call = (path: string, auth?: string) => {
  const job = path.split("/").pop()!;
  return route.GET(new Request(`http://localhost${path}`, { headers: auth ? { authorization: auth } : {} }), { params: Promise.resolve({ job }) });
};

describe("cron routes", () => {
  it("vercel.json has one cron per scheduled job, on the job's schedule", () => {
    const scheduled = [...jobs.values()].filter((j) => j.schedule).map((j) => ({ path: `/api/cron/${j.name}`, schedule: j.schedule }));
    expect(crons.toSorted((a, b) => a.path.localeCompare(b.path))).toEqual(scheduled.toSorted((a, b) => a.path.localeCompare(b.path)));
  });

  for (const { path } of crons) {
    it(`${path}: 401 without the secret, 2xx with it, and the run recorded`, async () => {
      for (const auth of [undefined, "Bearer wrong", SECRET]) {
        const res = await call(path, auth);
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED", requestId: expect.any(String) } });
      }
      const res = await call(path, `Bearer ${SECRET}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { job: string; mode: string; queueJobId: string };
      const def = jobs.get(body.job)!;
      expect(body.mode).toBe(def.runsInCron ? "ran" : "queued");
      if (!def.runsInCron) {
        const runner = await startJobRunner(deps, jobs, { work: true, schedule: false, pollingSeconds: 0.5 });
        try {
          await expect.poll(async () => (await deps.db.jobRun.findFirst({ where: { queueJobId: body.queueJobId } }))?.status, { timeout: 60_000, interval: 250 }).toBe("succeeded");
        } finally {
          await runner.stop(1_000);
        }
      }
      expect(await deps.db.jobRun.findFirst({ where: { queueJobId: body.queueJobId } })).toMatchObject({ job: def.name, attempt: 1, trigger: "cron", status: "succeeded" });
      // the same tick called again is not run twice
      expect(await (await call(path, `Bearer ${SECRET}`)).json()).toMatchObject({ mode: "already", queueJobId: body.queueJobId });
    }, 90_000);
  }

  it("names only jobs: /api/cron/constructor and __proto__ are 404s with the error body", async () => {
    for (const name of ["constructor", "__proto__", "toString", "nope"]) {
      const res = await route.GET(new Request(`http://localhost/api/cron/${name}`, { headers: { authorization: `Bearer ${SECRET}` } }), { params: Promise.resolve({ job: name }) });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND", message: expect.stringContaining("No cron job") } });
    }
  });

  it("an unexpected failure answers 500 with the error body, not a bare error page", async () => {
    const holder = globalThis as unknown as { __ooDeps?: Promise<Deps> };
    const failing = Promise.reject(new Error("connection refused (database down)"));
    failing.catch(() => {});
    holder.__ooDeps = failing;
    try {
      const res = await call("/api/cron/probe", `Bearer ${SECRET}`);
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error).toMatchObject({ code: "INTERNAL", requestId: expect.any(String) });
      expect(body.error.message).not.toContain("database down");
    } finally {
      setDeps(deps);
    }
  });
});
