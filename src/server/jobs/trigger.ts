import { randomUUID } from "node:crypto";
import type { Env } from "@/env";
import type { Deps } from "@/server/deps";
import { JobFailedError, runAttempt } from "./execute";
import { processQueue } from "./runner";
import { forgetJobSnapshots } from "./runs";
import { lastTick, tickJobId } from "./schedule";
import type { JobDefinition, JobTrigger } from "./types";

/**
 * Runs started from outside the queue: a serverless cron call and the dashboard's Run now. A short
 * job (`runsInCron`) runs right there; a long one is queued for a worker. A cron call stands for its
 * schedule's latest tick, under the same id the runners use, so a call sent twice, or a call and an
 * instance's own tick, run the tick once.
 */
export interface TriggerOutcome {
  mode: "ran" | "queued" | "already";
  queueJobId: string;
  runId: string | null;
  outcome: "succeeded" | "failed" | null;
  result: Record<string, unknown> | null;
  error: string | null;
}

/** Whether this process works the queue and sends ticks: JOBS_RUNNER, else on except on Vercel. */
export function runnerEnabled(env: Env): boolean {
  return env.JOBS_RUNNER ? env.JOBS_RUNNER === "on" : !process.env.VERCEL;
}

async function runHere(deps: Deps, def: JobDefinition, queueJobId: string, trigger: JobTrigger): Promise<TriggerOutcome> {
  try {
    const run = await runAttempt(deps, def, { queueJobId, attempt: 1, trigger });
    if (!run.ran) return { mode: "already", queueJobId, runId: null, outcome: null, result: null, error: null };
    return { mode: "ran", queueJobId, runId: run.runId, outcome: "succeeded", result: run.result ?? null, error: null };
  } catch (err) {
    if (!(err instanceof JobFailedError)) throw err;
    const row = await deps.db.jobRun.findUnique({ where: { queueJobId_attempt: { queueJobId, attempt: 1 } }, select: { id: true } });
    return { mode: "ran", queueJobId, runId: row?.id ?? null, outcome: "failed", result: null, error: err.message };
  }
}

async function queue(deps: Deps, def: JobDefinition, queueJobId: string, trigger: JobTrigger): Promise<TriggerOutcome> {
  const sent = await (await processQueue(deps)).send(def.name, { id: queueJobId, trigger });
  forgetJobSnapshots(deps);
  return { mode: sent ? "queued" : "already", queueJobId, runId: null, outcome: null, result: null, error: null };
}

export async function triggerFromCron(deps: Deps, def: JobDefinition, now = new Date()): Promise<TriggerOutcome> {
  const queueJobId = tickJobId(def.name, def.schedule ? lastTick(def.schedule, now) : now);
  return def.runsInCron ? runHere(deps, def, queueJobId, "cron") : queue(deps, def, queueJobId, "cron");
}

/** Run now: queued for the runner when one works the queue here or elsewhere; a short job with no runner here runs in the request. */
export async function triggerNow(deps: Deps, def: JobDefinition): Promise<TriggerOutcome> {
  const queueJobId = randomUUID();
  return def.runsInCron && !runnerEnabled(deps.env) ? runHere(deps, def, queueJobId, "manual") : queue(deps, def, queueJobId, "manual");
}
