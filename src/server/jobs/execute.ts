import type { Deps } from "@/server/deps";
import { instanceId } from "./instance";
import { finishRun, forgetJobSnapshots, runSqlOf, startRun } from "./runs";
import type { JobDefinition, JobTrigger } from "./types";

/**
 * One attempt of a job, whatever started it (the queue, a cron call, Run now): takes the attempt's
 * run record, runs the job under its timeout, records how it ended. A failure is thrown after it is
 * recorded, so the queue can retry it.
 */
export class JobFailedError extends Error {
  constructor(
    readonly job: string,
    message: string,
  ) {
    super(message);
    this.name = "JobFailedError";
  }
}

export interface Attempt {
  queueJobId: string;
  attempt: number;
  trigger: JobTrigger;
  data?: Record<string, unknown>;
  /** The process is shutting down. */
  shutdown?: AbortSignal;
}

export type AttemptOutcome = { ran: false; runId: null } | { ran: true; runId: string; result: Record<string, unknown> | undefined };

const MAX_LOG_LINES = 200;

export async function runAttempt(deps: Deps, def: JobDefinition, a: Attempt): Promise<AttemptOutcome> {
  const sql = runSqlOf(deps);
  const runId = await startRun(sql, { job: def.name, queueJobId: a.queueJobId, attempt: a.attempt, trigger: a.trigger, instanceId: instanceId(), timeoutSeconds: def.timeoutSeconds });
  if (!runId) return { ran: false, runId: null };
  forgetJobSnapshots(deps);
  const startedAt = performance.now();
  const log: string[] = [];
  const controller = new AbortController();
  const timedOut = new Error(`Timed out after ${def.timeoutSeconds} s.`);
  const timer = setTimeout(() => controller.abort(timedOut), def.timeoutSeconds * 1000);
  const onShutdown = () => controller.abort(new Error("The process is shutting down."));
  a.shutdown?.addEventListener("abort", onShutdown, { once: true });
  const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason as Error), { once: true }));
  try {
    const result = await Promise.race([
      def.run({
        deps,
        runId,
        trigger: a.trigger,
        signal: controller.signal,
        data: a.data ?? {},
        log: (line) => {
          if (log.length < MAX_LOG_LINES) log.push(line.slice(0, 500));
          console.log(`[job ${def.name}] ${line}`);
        },
      }),
      aborted,
    ]);
    await finishRun(sql, runId, { ok: true, result: result ?? undefined, log, durationMs: performance.now() - startedAt });
    return { ran: true, runId, result: result ?? undefined };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await finishRun(sql, runId, { ok: false, error: message, log, durationMs: performance.now() - startedAt });
    throw new JobFailedError(def.name, message);
  } finally {
    forgetJobSnapshots(deps);
    clearTimeout(timer);
    a.shutdown?.removeEventListener("abort", onShutdown);
  }
}
