import { randomUUID } from "node:crypto";
import { querySql, type Db } from "@/server/adapters/db";
import type { SnapshotCache } from "@/server/core/snapshot";
import type { Deps } from "@/server/deps";

/** Key prefix of the job monitor's snapshots (monitor.ts): forgotten when this instance starts or finishes a run, or queues one. */
export const JOBS_SNAPSHOTS = "jobs:";

export function forgetJobSnapshots(deps: { snapshots: SnapshotCache }) {
  deps.snapshots.invalidate(JOBS_SNAPSHOTS);
}

/**
 * Run records: one `job_run` row per attempt, written by whichever backend ran it. The row is taken
 * before the work starts, under a unique (queue job, attempt) key, so a second delivery of the same
 * attempt (a cron call sent twice, two instances sending one tick) finds it taken and does nothing.
 * Written through the plain `pg` pool where there is one (a real Postgres): two statements per job
 * are the layer's whole cost, so they skip Prisma's driver adapter.
 */
export type RunSql = <T>(text: string, params: unknown[]) => Promise<T[]>;

export function runSqlOf(deps: Pick<Deps, "db" | "database">): RunSql {
  return (text, params) => querySql(deps, text, params);
}

/** How long past its deadline a run may still be reported running before it counts as abandoned. */
export const ABANDON_GRACE_MS = 5_000;
const MAX_ERROR = 2_000;
const MAX_RESULT = 8_000;

export interface StartRun {
  job: string;
  queueJobId: string;
  attempt: number;
  trigger: string;
  instanceId: string;
  timeoutSeconds: number;
}

/** Takes the attempt; null when another delivery already took it. */
export async function startRun(sql: RunSql, r: StartRun): Promise<string | null> {
  const rows = await sql<{ id: string }>(
    `INSERT INTO "job_run" ("id", "job", "queue_job_id", "attempt", "trigger", "status", "instance_id", "started_at", "deadline_at")
     VALUES ($1::uuid, $2, $3, $4, $5, 'running', $6, now(), now() + make_interval(secs => $7))
     ON CONFLICT ("queue_job_id", "attempt") DO NOTHING RETURNING "id"`,
    [randomUUID(), r.job, r.queueJobId, r.attempt, r.trigger, r.instanceId, r.timeoutSeconds],
  );
  if (!rows[0]) return null;
  // The queue retries an attempt only once the one before it was given up (failed or expired): that one's process is gone.
  if (r.attempt > 1) await failAbandoned(sql, { queueJobId: r.queueJobId, before: r.attempt });
  return rows[0].id;
}

export async function finishRun(sql: RunSql, id: string, outcome: { ok: boolean; error?: string; result?: unknown; log: string[]; durationMs: number }): Promise<void> {
  const json = outcome.result === undefined ? null : JSON.stringify(outcome.result);
  await sql(
    `UPDATE "job_run" SET "status" = $2, "finished_at" = now(), "duration_ms" = $3, "error" = $4, "result" = $5::jsonb, "log" = $6::text[]
     WHERE "id" = $1::uuid AND "status" = 'running' RETURNING 1`,
    [
      id,
      outcome.ok ? "succeeded" : "failed",
      Math.max(0, Math.round(outcome.durationMs)),
      outcome.error ? outcome.error.slice(0, MAX_ERROR) : null,
      json && json.length > MAX_RESULT ? '{"truncated":true}' : json,
      outcome.log,
    ],
  );
}

/**
 * Runs left `running` by a process that stopped (killed, crashed, frozen) become failed, with the
 * reason. Safe anywhere and twice at once: one guarded UPDATE.
 */
export async function failAbandoned(sql: RunSql, scope: { queueJobId?: string; before?: number } = {}): Promise<number> {
  const reason = "Abandoned: the process running it stopped before it finished (killed, crashed or frozen past its timeout).";
  const where = scope.queueJobId ? `"queue_job_id" = $2 AND "attempt" < $3` : `"deadline_at" < now() - make_interval(secs => $2)`;
  const args = scope.queueJobId ? [scope.queueJobId, scope.before ?? 1] : [ABANDON_GRACE_MS / 1000];
  const rows = await sql(
    `UPDATE "job_run" SET "status" = 'failed', "finished_at" = now(), "error" = $1,
       "duration_ms" = (extract(epoch FROM now() - "started_at") * 1000)::int
     WHERE "status" = 'running' AND ${where} RETURNING 1`,
    [reason, ...args],
  );
  return rows.length;
}

/** Run records are kept for RUN_RETENTION_DAYS (the monitor reads the recent ones). */
export const RUN_RETENTION_DAYS = 30;

export async function pruneRuns(db: Db): Promise<number> {
  return db.$executeRawUnsafe(`DELETE FROM "job_run" WHERE "started_at" < now() - make_interval(days => $1)`, RUN_RETENTION_DAYS);
}
