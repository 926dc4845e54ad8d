import type { Db } from "@/server/adapters/db";
import { eventFor, type AuditLog, type CallContext } from "@/server/core/audit/log";
import { DEFAULT_DAMPING, recordProbesForAlerts, type Damping } from "@/server/features/notifications/damping";
import { pruneCutoffs, rollupDeltas, type Resolution } from "./rollup";
import type { ProbeRecord } from "./runner";
import type { Bucket } from "./uptime";

/**
 * Probe results in Postgres: raw rows (a day), minute and hour rollups, and the latest state per
 * connection. A change between up and down is written with its audit entry in one transaction.
 */
export async function saveResults(db: Db, runId: string, results: ProbeRecord[]): Promise<void> {
  const stored = results.filter((r) => r.state !== "not_configured");
  if (stored.length === 0) return;
  const raw = stored.map((r) => ({ connection_id: r.id, run_id: runId, at: r.at.toISOString(), state: r.state, latency_ms: r.latencyMs, error: r.error, details: r.details }));
  const deltas = rollupDeltas(stored.map((r) => ({ connectionId: r.id, at: r.at, state: r.state, latencyMs: r.latencyMs }))).map((d) => ({
    connection_id: d.connectionId,
    resolution: d.resolution,
    bucket: d.bucket.toISOString(),
    up: d.up,
    down: d.down,
    latency_sum: d.latencySum,
    latency_count: d.latencyCount,
    latency_max: d.latencyMax,
  }));
  await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(
      `INSERT INTO "probe_result" ("connection_id", "run_id", "at", "state", "latency_ms", "error", "details")
       SELECT x.connection_id, x.run_id, x.at, x.state, x.latency_ms, x.error, x.details
         FROM jsonb_to_recordset($1::jsonb) AS x(connection_id text, run_id text, at timestamptz, state text, latency_ms float8, error text, details jsonb)`,
      JSON.stringify(raw),
    );
    if (deltas.length === 0) return;
    // Added, not replaced: two runs in the same minute both count (each probe happened).
    await tx.$executeRawUnsafe(
      `INSERT INTO "probe_rollup" ("connection_id", "resolution", "bucket", "up", "down", "latency_sum", "latency_count", "latency_max")
       SELECT x.connection_id, x.resolution, x.bucket, x.up, x.down, x.latency_sum, x.latency_count, x.latency_max
         FROM jsonb_to_recordset($1::jsonb) AS x(connection_id text, resolution text, bucket timestamptz, up int, down int, latency_sum float8, latency_count int, latency_max float8)
       ON CONFLICT ("connection_id", "resolution", "bucket") DO UPDATE SET
         "up" = "probe_rollup"."up" + EXCLUDED."up",
         "down" = "probe_rollup"."down" + EXCLUDED."down",
         "latency_sum" = "probe_rollup"."latency_sum" + EXCLUDED."latency_sum",
         "latency_count" = "probe_rollup"."latency_count" + EXCLUDED."latency_count",
         "latency_max" = GREATEST("probe_rollup"."latency_max", EXCLUDED."latency_max")`,
      JSON.stringify(deltas),
    );
  });
}

/** The audited transition, if any: into down from anything else, and back up from down. */
export function transitionOf(from: string | null, to: string): "down" | "up" | null {
  if (to === "down" && from !== "down") return "down";
  if (to === "up" && from === "down") return "up";
  return null;
}

interface StateRow {
  state: string;
  checked_at: Date;
}

/**
 * Brings connection_state up to date. Unchanged states are one bulk update; a changed state is
 * re-read under a row lock and compare-and-set with its audit entry, so two concurrent runs that
 * saw the same change audit it once. A result older than the stored one is ignored.
 */
export async function applyStates(db: Db, audit: AuditLog, call: CallContext, results: ProbeRecord[], damping: Damping = DEFAULT_DAMPING): Promise<{ changes: { id: string; to: "up" | "down" }[] }> {
  const stored = results.filter((r) => r.state !== "not_configured");
  const current = await db.connectionState.findMany({ where: { id: { in: stored.map((r) => r.id) } }, select: { id: true, state: true } });
  const known = new Map(current.map((c) => [c.id, c.state]));
  const same = stored.filter((r) => known.get(r.id) === r.state);
  let changed = stored.filter((r) => known.get(r.id) !== r.state);
  // A connection seen for the first time and not down has nothing to audit: insert those in one
  // statement (50 new sites would otherwise be 50 transactions); one another run inserted meanwhile
  // goes the careful way below.
  const fresh = changed.filter((r) => !known.has(r.id) && r.state !== "down");
  if (fresh.length) {
    const inserted = await db.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO "connection_state" ("id", "kind", "state", "since", "checked_at", "latency_ms", "error", "details", "last_up_at")
       SELECT x.id, x.kind, x.state, x.at, x.at, x.latency_ms, x.error, x.details, CASE WHEN x.state = 'up' THEN x.at END
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, state text, at timestamptz, latency_ms float8, error text, details jsonb)
       ON CONFLICT ("id") DO NOTHING RETURNING "id"`,
      JSON.stringify(fresh.map((r) => ({ id: r.id, kind: r.kind, state: r.state, at: r.at.toISOString(), latency_ms: r.latencyMs, error: r.error, details: r.details }))),
    );
    const done = new Set(inserted.map((row) => row.id));
    changed = changed.filter((r) => !done.has(r.id));
  }
  if (same.length) {
    await db.$executeRawUnsafe(
      `UPDATE "connection_state" AS c SET "kind" = x.kind, "checked_at" = x.at, "latency_ms" = x.latency_ms, "error" = x.error, "details" = x.details,
              "last_up_at" = CASE WHEN x.state = 'up' THEN x.at ELSE c."last_up_at" END,
              "last_down_at" = CASE WHEN x.state = 'down' THEN x.at ELSE c."last_down_at" END
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, state text, at timestamptz, latency_ms float8, error text, details jsonb)
        WHERE c."id" = x.id AND c."state" = x.state AND c."checked_at" <= x.at`,
      JSON.stringify(same.map((r) => ({ id: r.id, kind: r.kind, state: r.state, at: r.at.toISOString(), latency_ms: r.latencyMs, error: r.error, details: r.details }))),
    );
  }
  const changes: { id: string; to: "up" | "down" }[] = [];
  for (const r of changed) {
    const to = await audit.transact(async (tx, append) => {
      await tx.$executeRawUnsafe(
        `INSERT INTO "connection_state" ("id", "kind", "state", "since", "checked_at") VALUES ($1, $2, 'unchecked', $3::timestamptz, $3::timestamptz) ON CONFLICT ("id") DO NOTHING`,
        r.id,
        r.kind,
        new Date(0).toISOString(),
      );
      const [row] = await tx.$queryRawUnsafe<StateRow[]>(`SELECT "state", "checked_at" FROM "connection_state" WHERE "id" = $1 FOR UPDATE`, r.id);
      if (!row || row.checked_at.getTime() > r.at.getTime()) return null;
      const fresh = row.checked_at.getTime() === 0;
      const from = fresh ? null : row.state;
      const sameState = !fresh && row.state === r.state;
      await tx.$executeRawUnsafe(
        `UPDATE "connection_state" SET "kind" = $2, "state" = $3, "since" = CASE WHEN $4 THEN "since" ELSE $5::timestamptz END, "checked_at" = $5::timestamptz,
                "latency_ms" = $6, "error" = $7, "details" = $8::jsonb,
                "last_up_at" = CASE WHEN $3 = 'up' THEN $5::timestamptz ELSE "last_up_at" END,
                "last_down_at" = CASE WHEN $3 = 'down' THEN $5::timestamptz ELSE "last_down_at" END
          WHERE "id" = $1`,
        r.id,
        r.kind,
        r.state,
        sameState,
        r.at.toISOString(),
        r.latencyMs,
        r.error,
        r.details === null ? null : JSON.stringify(r.details),
      );
      const transition = sameState ? null : transitionOf(from, r.state);
      if (transition) {
        await append(
          eventFor(call, {
            action: `connection.${transition}`,
            resourceType: "connection",
            target: r.id,
            outcome: transition === "down" ? "failure" : "success",
            status: transition === "down" ? 503 : 200,
            detail: { from, to: r.state, kind: r.kind, error: r.error, latencyMs: r.latencyMs },
          }),
        );
      }
      return transition;
    });
    if (to) changes.push({ id: r.id, to });
  }
  // Notifications follow the damped state, not every flip: see notifications/damping.ts.
  const probed = stored.filter((r) => r.state === "up" || r.state === "down");
  await recordProbesForAlerts(
    db,
    probed.map((r) => ({ id: r.id, kind: r.kind, at: r.at, up: r.state !== "down", error: r.error })),
    damping,
  );
  return { changes };
}

/** Deletes what is past its retention: raw results after a day, minute buckets after a day, hour buckets after 90 days. */
export async function pruneProbes(db: Db, now: Date): Promise<{ raw: number; rollups: number }> {
  const cut = pruneCutoffs(now);
  const raw = await db.$executeRawUnsafe(`DELETE FROM "probe_result" WHERE "at" < $1::timestamptz`, cut.raw.toISOString());
  const rollups = await db.$executeRawUnsafe(
    `DELETE FROM "probe_rollup" WHERE ("resolution" = 'minute' AND "bucket" < $1::timestamptz) OR ("resolution" = 'hour' AND "bucket" < $2::timestamptz)`,
    cut.minute.toISOString(),
    cut.hour.toISOString(),
  );
  return { raw, rollups };
}

export async function readRollups(db: Db, ids: string[], resolution: Resolution, from: Date): Promise<Map<string, Bucket[]>> {
  const rows = await db.probeRollup.findMany({
    where: { connectionId: { in: ids }, resolution, bucket: { gte: from } },
    orderBy: { bucket: "asc" },
  });
  const out = new Map<string, Bucket[]>(ids.map((id) => [id, []]));
  for (const r of rows) out.get(r.connectionId)?.push({ bucket: r.bucket, up: r.up, down: r.down, latencySum: r.latencySum, latencyCount: r.latencyCount, latencyMax: r.latencyMax });
  return out;
}

/** Hourly rollups summed per UTC day in the database: at most 90 rows a connection instead of 2,160. */
export async function readDailyRollups(db: Db, ids: string[], from: Date): Promise<Map<string, Bucket[]>> {
  const rows = await db.$queryRawUnsafe<
    { connection_id: string; day: Date; up: bigint | number; down: bigint | number; latency_sum: number; latency_count: bigint | number; latency_max: number | null }[]
  >(
    `SELECT "connection_id", date_trunc('day', "bucket" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS "day",
            sum("up") AS "up", sum("down") AS "down", sum("latency_sum") AS "latency_sum", sum("latency_count") AS "latency_count", max("latency_max") AS "latency_max"
       FROM "probe_rollup"
      WHERE "resolution" = 'hour' AND "bucket" >= $1::timestamptz AND "connection_id" = ANY($2::text[])
      GROUP BY 1, 2 ORDER BY 2`,
    from.toISOString(),
    ids,
  );
  const out = new Map<string, Bucket[]>(ids.map((id) => [id, []]));
  for (const r of rows) {
    out.get(r.connection_id)?.push({
      bucket: new Date(r.day),
      up: Number(r.up),
      down: Number(r.down),
      latencySum: Number(r.latency_sum),
      latencyCount: Number(r.latency_count),
      latencyMax: r.latency_max === null ? null : Number(r.latency_max),
    });
  }
  return out;
}
