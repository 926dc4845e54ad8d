import type { Db } from "@/server/adapters/db";
import type { SnapshotCache } from "@/server/core/snapshot";
import type { Activity } from "./schema";

const WINDOW_MINUTES = 60;
const MINUTE_MS = 60_000;
/** Surfaces that carry requests; system and CLI events are housekeeping, not traffic. */
const REQUEST_SURFACES = ["rest", "mcp", "trpc", "webhook"];

/** How long one computation of the activity is shared: under the dashboard's 5-second refresh. */
export const ACTIVITY_MAX_AGE_MS = 2_000;

/** The activity as every caller of this instance shares it for up to ACTIVITY_MAX_AGE_MS. */
export async function sharedActivity(deps: { db: Db; snapshots: SnapshotCache }): Promise<Activity> {
  const { value, asOf } = await deps.snapshots.get("status:activity", ACTIVITY_MAX_AGE_MS, () => getActivity(deps.db));
  return { ...value, asOf: asOf.toISOString() };
}

/** Request and error rates of the last hour, from the audit log (every request is audited). */
export async function getActivity(db: Db, now = new Date()): Promise<Omit<Activity, "asOf">> {
  const end = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const since = new Date(end - WINDOW_MINUTES * MINUTE_MS);
  const rows = await db.$queryRaw<{ minute: Date; requests: bigint | number; errors: bigint | number; denied: bigint | number }[]>`
    SELECT date_trunc('minute', "at") AS "minute",
           count(*) AS "requests",
           count(*) FILTER (WHERE "outcome" <> 'success') AS "errors",
           count(*) FILTER (WHERE "outcome" = 'denied') AS "denied"
      FROM "audit_event"
     WHERE "at" >= ${since.toISOString()}::timestamptz AND "surface" = ANY(${REQUEST_SURFACES}::text[])
     GROUP BY 1`;
  const byMinute = new Map(rows.map((r) => [new Date(r.minute).getTime(), r]));
  const perMinute = Array.from({ length: WINDOW_MINUTES }, (_, i) => {
    const t = since.getTime() + i * MINUTE_MS;
    const r = byMinute.get(t);
    return { minute: new Date(t).toISOString(), requests: Number(r?.requests ?? 0), errors: Number(r?.errors ?? 0) };
  });
  const requests = perMinute.reduce((n, m) => n + m.requests, 0);
  const errors = perMinute.reduce((n, m) => n + m.errors, 0);
  const denied = rows.reduce((n, r) => n + Number(r.denied), 0);
  return {
    windowMinutes: WINDOW_MINUTES,
    since: since.toISOString(),
    requests,
    errors,
    denied,
    requestsPerMinute: Math.round((requests / WINDOW_MINUTES) * 100) / 100,
    errorRate: requests ? errors / requests : 0,
    perMinute,
  };
}
