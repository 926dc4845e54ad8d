import type { Deps } from "@/server/deps";
import { registeredJobs } from "./registry";
import { JobQueue, type SendOptions } from "./queue";
import { failAbandoned, pruneRuns, runSqlOf } from "./runs";
import { tickJobId, ticksBetween } from "./schedule";
import type { JobDefinition } from "./types";

/**
 * The queue of this process (one per database), and the runner that works it and sends schedule
 * ticks. Any number of processes run the same runner against one database: each sends every due
 * tick under the tick's fixed id, the queue keeps the first, and one worker somewhere runs it.
 */
const holder = globalThis as unknown as { __ooJobQueues?: WeakMap<Deps, Promise<JobQueue>>; __ooJobRunner?: Promise<JobRunner> };

/** The queue this process sends to (and, with a runner, works). Opened on first use. */
export function processQueue(deps: Deps, defs: ReadonlyMap<string, JobDefinition> = registeredJobs()): Promise<JobQueue> {
  const queues = (holder.__ooJobQueues ??= new WeakMap());
  let q = queues.get(deps);
  if (!q) {
    // upkeep runs wherever a long-lived process holds the queue; a serverless function only sends
    q = JobQueue.open(deps, defs, { supervise: !process.env.VERCEL, maintenanceSeconds: deps.env.JOBS_MAINTENANCE_SECONDS }).catch((err: unknown) => {
      queues.delete(deps);
      throw err;
    });
    queues.set(deps, q);
  }
  return q;
}

/** Queues a run of a registered job (a webhook's index run, Run now). */
export async function enqueueJob(deps: Deps, name: string, opts: SendOptions): Promise<string | null> {
  return (await processQueue(deps)).send(name, opts);
}

export interface RunnerOptions {
  /** Work the queue in this process. */
  work: boolean;
  /** Send schedule ticks from this process. */
  schedule: boolean;
  /** How often to look for due ticks (ms). */
  tickEveryMs?: number;
  batchSize?: number;
  pollingSeconds?: number;
}

export interface JobRunner {
  queue: JobQueue;
  /** Stops working and ticking; runs in progress are aborted and given `graceMs` to finish. */
  stop(graceMs?: number): Promise<void>;
}

const UPKEEP_MS = 30_000;

export async function startJobRunner(deps: Deps, defs: ReadonlyMap<string, JobDefinition>, opts: RunnerOptions): Promise<JobRunner> {
  const queue = await processQueue(deps, defs);
  if (opts.work) await queue.work(deps, { batchSize: opts.batchSize, pollingSeconds: opts.pollingSeconds });
  const timers: NodeJS.Timeout[] = [];
  if (opts.schedule) timers.push(startTicker(deps, queue, [...defs.values()], opts.tickEveryMs ?? 1_000));
  const upkeep = setInterval(() => {
    void failAbandoned(runSqlOf(deps))
      .then(() => pruneRuns(deps.db))
      .catch((err: Error) => console.warn(`[jobs] upkeep: ${err.message}`));
  }, UPKEEP_MS);
  upkeep.unref();
  timers.push(upkeep);
  return {
    queue,
    stop: async (graceMs?: number) => {
      for (const t of timers) clearInterval(t);
      await queue.stop(graceMs);
      holder.__ooJobQueues?.delete(deps);
    },
  };
}

/** Sends each scheduled job's due ticks; a tick missed while no process ran is not made up. */
function startTicker(deps: Deps, queue: JobQueue, defs: JobDefinition[], everyMs: number): NodeJS.Timeout {
  let last = new Date();
  let busy = false;
  const scheduled = defs.filter((d) => d.schedule && (d.enabled?.(deps) ?? true));
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const now = new Date();
    const from = last;
    last = now;
    void (async () => {
      for (const def of scheduled) {
        for (const tick of ticksBetween(def.schedule!, from, now, 5)) {
          await queue
            .send(def.name, { id: tickJobId(def.name, tick), trigger: "schedule", data: { tick: tick.toISOString() } })
            .catch((err: Error) => console.warn(`[jobs] ${def.name}: tick ${tick.toISOString()} not sent: ${err.message}`));
        }
      }
    })().finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return timer;
}

/** The long-running server's runner (next dev, next start): one per process, a second start is a no-op. */
export async function startProcessRunner(deps: Deps, defs: ReadonlyMap<string, JobDefinition>, opts: RunnerOptions): Promise<JobRunner> {
  holder.__ooJobRunner ??= startJobRunner(deps, defs, opts).catch((err: unknown) => {
    holder.__ooJobRunner = undefined;
    throw err;
  });
  return holder.__ooJobRunner;
}

/** Closes this process's queue for these deps, if one was opened (tests, the CLI, shutdown). */
export async function closeProcessQueue(deps: Deps): Promise<void> {
  const q = holder.__ooJobQueues?.get(deps);
  if (!q) return;
  holder.__ooJobQueues!.delete(deps);
  await (await q.catch(() => null))?.stop(1_000);
}
