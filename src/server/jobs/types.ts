import type { Deps } from "@/server/deps";

/**
 * The contract between the jobs layer and the features. A feature describes its scheduled or
 * queued work as JobDefinitions (in `features/<name>/jobs.ts`); `server/api/jobs.ts` composes them
 * all, as the root router composes the features' routers. The jobs layer knows no feature.
 */
export type JobTrigger = "schedule" | "cron" | "manual" | "retry" | "startup";

export interface JobContext {
  deps: Deps;
  /** The id of this run (its run record). */
  runId: string;
  trigger: JobTrigger;
  /** Aborted when the run passes its timeout or the process shuts down: long loops check it. */
  signal: AbortSignal;
  /** Progress lines, kept with the run record and printed by the worker. */
  log: (message: string) => void;
  /** The job's data when it was enqueued with some (e.g. which repo to index). */
  data: Record<string, unknown>;
}

export interface RetryPolicy {
  /** Retries after the first attempt; 0 = none. */
  limit: number;
  /** Seconds before the first retry. */
  delaySeconds: number;
  /** Double the delay on each retry (with jitter). */
  backoff: boolean;
}

export interface JobDefinition {
  /** Unique, kebab-case: `probe`, `index-repos`, `suggestions-daily`, … (also the /api/cron/<name> path). */
  name: string;
  /** One line for operators (the Jobs card, /ai/jobs). */
  description: string;
  /** Five-field cron expression in UTC, or null for a job that only runs when enqueued or run by hand. */
  schedule: string | null;
  timeoutSeconds: number;
  retry: RetryPolicy;
  /** At most one run at a time across every instance sharing the queue. */
  singleton: boolean;
  /** Short enough to run inside a serverless cron call (Vercel) instead of only enqueueing it. */
  runsInCron: boolean;
  /** False: its schedule does not tick on this deployment (it still runs when enqueued, from cron or by hand). */
  enabled?: (deps: Deps) => boolean;
  /** Does the work; what it returns (a small JSON summary) is kept with the run record. */
  run: (ctx: JobContext) => Promise<Record<string, unknown> | void>;
}
