import { mergeHistograms, quantile, type LatencyHistogram } from "@/server/core/metrics";
import type { ProcedureStats } from "./schema";

/** A stored row of procedure_metric (one procedure, minute and instance). */
export interface MetricRow {
  procedure: string;
  count: number;
  errors: number;
  serverErrors: number;
  latencySum: number;
  latencyMax: number;
  histogram: LatencyHistogram;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Merges rows per procedure into count, error rate and percentiles; most called first. Pure. */
export function summarize(rows: MetricRow[]): ProcedureStats[] {
  const by = new Map<string, MetricRow>();
  for (const r of rows) {
    const m = by.get(r.procedure) ?? { procedure: r.procedure, count: 0, errors: 0, serverErrors: 0, latencySum: 0, latencyMax: 0, histogram: {} };
    m.count += r.count;
    m.errors += r.errors;
    m.serverErrors += r.serverErrors;
    m.latencySum += r.latencySum;
    m.latencyMax = Math.max(m.latencyMax, r.latencyMax);
    mergeHistograms(m.histogram, r.histogram);
    by.set(r.procedure, m);
  }
  return [...by.values()]
    .filter((m) => m.count > 0)
    .map((m) => ({
      procedure: m.procedure,
      count: m.count,
      errors: m.errors,
      serverErrors: m.serverErrors,
      errorRate: Math.round((m.errors / m.count) * 10_000) / 10_000,
      avgMs: round(m.latencySum / m.count),
      p50Ms: quantile(m.histogram, 0.5, m.latencyMax),
      p95Ms: quantile(m.histogram, 0.95, m.latencyMax),
      p99Ms: quantile(m.histogram, 0.99, m.latencyMax),
      maxMs: round(m.latencyMax),
    }))
    .sort((a, b) => b.count - a.count || a.procedure.localeCompare(b.procedure));
}
