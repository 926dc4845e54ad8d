import type { Deps } from "@/server/deps";
import { registeredJobs } from "./registry";
import { failAbandoned, JOBS_SNAPSHOTS, runSqlOf } from "./runs";
import { intervalSeconds, nextTick } from "./schedule";
import type { JobDefinition } from "./types";

/**
 * The cron monitor: for each job, its schedule, last run, last success, next due tick, failures in a
 * row, and whether it is late — scheduled, yet no success within twice its interval (counted from
 * its first recorded run when it never succeeded, else from when this process started).
 */
export interface JobRunView {
  id: string;
  status: "running" | "succeeded" | "failed";
  trigger: string;
  attempt: number;
  instanceId: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
}

export interface JobStatus {
  name: string;
  description: string;
  schedule: string | null;
  enabled: boolean;
  runsInCron: boolean;
  timeoutSeconds: number;
  intervalSeconds: number | null;
  nextDueAt: Date | null;
  lastRun: JobRunView | null;
  lastSuccessAt: Date | null;
  failuresInRow: number;
  running: number;
  late: boolean;
}

interface Row {
  job: string;
  last_success_started: Date | null;
  last_success_at: Date | null;
  first_at: Date;
  running: number;
  failures: number;
  id: string | null;
  status: JobRunView["status"] | null;
  trigger: string | null;
  attempt: number | null;
  instance_id: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  error: string | null;
}

async function runSummaries(deps: Deps, names: string[]): Promise<Map<string, Row>> {
  const rows = await deps.db.$queryRawUnsafe<Row[]>(
    `WITH s AS (
       SELECT "job",
         max("started_at") FILTER (WHERE "status" = 'succeeded') AS last_success_started,
         max("finished_at") FILTER (WHERE "status" = 'succeeded') AS last_success_at,
         min("started_at") AS first_at,
         (count(*) FILTER (WHERE "status" = 'running'))::int AS running
       FROM "job_run" WHERE "job" = ANY($1::text[]) GROUP BY "job")
     SELECT s.*,
       (SELECT count(*)::int FROM "job_run" f WHERE f."job" = s."job" AND f."status" = 'failed' AND f."started_at" > coalesce(s.last_success_started, '-infinity')) AS failures,
       l."id", l."status", l."trigger", l."attempt", l."instance_id", l."started_at", l."finished_at", l."duration_ms", l."error"
     FROM s LEFT JOIN LATERAL (SELECT * FROM "job_run" r WHERE r."job" = s."job" ORDER BY r."started_at" DESC LIMIT 1) l ON true`,
    names,
  );
  return new Map(rows.map((r) => [r.job, r]));
}

function statusOf(deps: Deps, def: JobDefinition, row: Row | undefined, now: Date): JobStatus {
  const enabled = def.enabled?.(deps) ?? true;
  const interval = def.schedule ? intervalSeconds(def.schedule, now) : null;
  const since = row?.last_success_at ?? row?.first_at ?? deps.startedAt;
  const late = Boolean(def.schedule && enabled && interval !== null && now.getTime() - since.getTime() > 2 * interval * 1000);
  const lastRun: JobRunView | null =
    row?.id && row.status
      ? {
          id: row.id,
          status: row.status,
          trigger: row.trigger!,
          attempt: row.attempt!,
          instanceId: row.instance_id!,
          startedAt: row.started_at!,
          finishedAt: row.finished_at,
          durationMs: row.duration_ms,
          error: row.error,
        }
      : null;
  return {
    name: def.name,
    description: def.description,
    schedule: def.schedule,
    enabled,
    runsInCron: def.runsInCron,
    timeoutSeconds: def.timeoutSeconds,
    intervalSeconds: interval,
    nextDueAt: def.schedule && enabled ? nextTick(def.schedule, now) : null,
    lastRun,
    lastSuccessAt: row?.last_success_at ?? null,
    failuresInRow: row?.failures ?? 0,
    running: row?.running ?? 0,
    late,
  };
}

export async function listJobStatuses(deps: Deps, opts: { defs?: ReadonlyMap<string, JobDefinition>; now?: Date } = {}): Promise<JobStatus[]> {
  const defs = [...(opts.defs ?? registeredJobs()).values()];
  await failAbandoned(runSqlOf(deps));
  const rows = await runSummaries(
    deps,
    defs.map((d) => d.name),
  );
  const now = opts.now ?? new Date();
  return defs.map((d) => statusOf(deps, d, rows.get(d.name), now));
}

/** Under the dashboard's 10-second refresh of the job list and the status page. */
export const JOBS_MAX_AGE_MS = 2_000;

/**
 * listJobStatuses as every caller of this instance shares it for up to JOBS_MAX_AGE_MS (a run started,
 * finished or queued here forgets it; another instance's within that bound), with when it was read.
 */
export async function sharedJobStatuses(deps: Deps): Promise<{ jobs: JobStatus[]; asOf: Date }> {
  const names = [...registeredJobs().keys()].join(","); // a change of the registered jobs is a snapshot of its own
  const { value, asOf } = await deps.snapshots.get(`${JOBS_SNAPSHOTS}statuses:${names}`, JOBS_MAX_AGE_MS, () => listJobStatuses(deps));
  return { jobs: value, asOf };
}

/** The jobs that are late now (for the status page, notifications and the daily suggestions). */
export async function lateJobs(deps: Deps, opts: { defs?: ReadonlyMap<string, JobDefinition>; now?: Date } = {}): Promise<JobStatus[]> {
  return (await listJobStatuses(deps, opts)).filter((j) => j.late);
}

/** Recorded runs by job and outcome (the retention window's), for /api/metrics. */
export async function runCounts(deps: Deps): Promise<{ job: string; outcome: string; count: number }[]> {
  return deps.db.$queryRawUnsafe(`SELECT "job", "status" AS outcome, count(*)::int AS count FROM "job_run" GROUP BY "job", "status"`);
}
