import { metricsRecorder, type LatencyHistogram } from "@/server/core/metrics";
import type { Deps } from "@/server/deps";
import { HOUR_MS, bucketStart } from "@/server/features/connections/rollup";
import { listConnections } from "@/server/features/connections/service";
import { readRollups } from "@/server/features/connections/store";
import { latencySeries } from "@/server/features/connections/uptime";
import type { Metrics } from "./schema";
import { summarize } from "./stats";

const MINUTE_MS = 60_000;
/** How long one computation is shared by this instance's callers: under the dashboard's refresh. */
export const METRICS_MAX_AGE_MS = 2_000;

/** getMetrics as every caller of this instance shares it for up to METRICS_MAX_AGE_MS. */
export async function sharedMetrics(deps: Deps, windowMinutes: number): Promise<Metrics> {
  const { value } = await deps.snapshots.get(`metrics:${windowMinutes}`, METRICS_MAX_AGE_MS, () => getMetrics(deps, windowMinutes));
  return value;
}

/**
 * Procedure statistics over a window (this instance's samples flushed first; other instances' are
 * at most one flush interval behind) and each connection's uptime and hourly latency.
 */
export async function getMetrics(deps: Deps, windowMinutes: number, now = new Date()): Promise<Metrics> {
  await metricsRecorder(deps.db)
    .flush()
    .catch(() => undefined);
  const to = bucketStart(now, "minute") + MINUTE_MS;
  const from = to - windowMinutes * MINUTE_MS;
  const rows = await deps.db.procedureMetric.findMany({ where: { minute: { gte: new Date(from), lt: new Date(to) } } });
  const procedures = summarize(
    rows.map((r) => ({
      procedure: r.procedure,
      count: r.count,
      errors: r.errors,
      serverErrors: r.serverErrors,
      latencySum: r.latencySum,
      latencyMax: r.latencyMax,
      histogram: (r.histogram ?? {}) as LatencyHistogram,
    })),
  );
  const list = await listConnections(deps, {}, now);
  const configured = list.connections.filter((c) => c.configured);
  const hourTo = bucketStart(now, "hour") + HOUR_MS;
  const hours = await readRollups(
    deps.db,
    configured.map((c) => c.id),
    "hour",
    new Date(hourTo - 24 * HOUR_MS),
  );
  return {
    asOf: now.toISOString(),
    window: { minutes: windowMinutes, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    procedures,
    connections: configured.map((c) => ({
      id: c.id,
      label: c.label,
      state: c.state,
      uptimePct: { h24: c.uptime.h24.pct, d7: c.uptime.d7.pct, d30: c.uptime.d30.pct, d90: c.uptime.d90.pct },
      latency: latencySeries(hours.get(c.id) ?? [], hourTo - 24 * HOUR_MS, hourTo, HOUR_MS).map((p) => ({ t: p.t, avgMs: p.avgMs })),
    })),
  };
}
