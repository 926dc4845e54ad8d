import { randomUUID } from "node:crypto";
import { Histogram as PromHistogram, Registry } from "prom-client";
import type { Db } from "@/server/adapters/db";

/**
 * Per-procedure latency and outcome, recorded on the request path (the outermost middleware) into
 * memory — one map update, no I/O — and flushed every few seconds as one row per procedure, minute
 * and instance. Percentiles come from log-spaced histograms (buckets 20 % wide), merged when read.
 */
export interface CallSample {
  procedure: string;
  latencyMs: number;
  ok: boolean;
  status: number;
}

/** Upper bounds (ms) of the histogram buckets: 0.25 ms × 1.2^i up to two minutes; one more bucket above. */
export const LATENCY_BOUNDS: number[] = (() => {
  const out: number[] = [];
  for (let b = 0.25; b < 120_000; b *= 1.2) out.push(Math.round(b * 1000) / 1000);
  return out;
})();

/** Sparse histogram: bucket index → count. */
export type LatencyHistogram = Record<string, number>;

export function bucketIndex(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= LATENCY_BOUNDS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function mergeHistograms(into: LatencyHistogram, from: LatencyHistogram): LatencyHistogram {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** The q-quantile (0..1) by linear interpolation inside its bucket; null for an empty histogram. */
export function quantile(h: LatencyHistogram, q: number, max?: number): number | null {
  const entries = Object.entries(h)
    .map(([k, v]) => [Number(k), v] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((n, [, v]) => n + v, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [i, v] of entries) {
    if (seen + v >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS[i - 1]!;
      const upper = LATENCY_BOUNDS[i] ?? max ?? lower * 1.2;
      const value = lower + ((rank - seen) / v) * (upper - lower);
      const capped = max !== undefined ? Math.min(value, max) : value;
      return Math.round(capped * 100) / 100;
    }
    seen += v;
  }
  return null;
}

interface Cell {
  procedure: string;
  minute: number;
  count: number;
  errors: number;
  serverErrors: number;
  latencySum: number;
  latencyMax: number;
  histogram: LatencyHistogram;
}

const MINUTE_MS = 60_000;
const FLUSH_MS = 10_000;
export const METRICS_RETENTION_MS = 7 * 24 * 60 * MINUTE_MS;

export class MetricsRecorder {
  private cells = new Map<string, Cell>();
  private dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private warned = false;

  constructor(
    private readonly db: Db,
    readonly instance: string,
  ) {}

  record(s: CallSample, now = Date.now()) {
    const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const key = `${s.procedure}\u0000${minute}`;
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { procedure: s.procedure, minute, count: 0, errors: 0, serverErrors: 0, latencySum: 0, latencyMax: 0, histogram: {} }));
    cell.count += 1;
    if (!s.ok) cell.errors += 1;
    if (s.status >= 500) cell.serverErrors += 1;
    cell.latencySum += s.latencyMs;
    cell.latencyMax = Math.max(cell.latencyMax, s.latencyMs);
    const b = String(bucketIndex(s.latencyMs));
    cell.histogram[b] = (cell.histogram[b] ?? 0) + 1;
    this.dirty.add(key);
    if (!this.timer) {
      this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what changed since the last flush; a cell's row holds its running totals, so a rewrite is idempotent. */
  async flush(now = Date.now()): Promise<void> {
    if (this.dirty.size === 0) return;
    const keys = [...this.dirty];
    this.dirty.clear();
    const rows = keys
      .map((k) => this.cells.get(k))
      .filter((c): c is Cell => Boolean(c))
      .map((c) => ({
        procedure: c.procedure,
        minute: new Date(c.minute).toISOString(),
        instance: this.instance,
        count: c.count,
        errors: c.errors,
        server_errors: c.serverErrors,
        latency_sum: c.latencySum,
        latency_max: c.latencyMax,
        histogram: { ...c.histogram },
      }));
    try {
      await this.db.$executeRawUnsafe(
        `INSERT INTO "procedure_metric" ("procedure", "minute", "instance", "count", "errors", "server_errors", "latency_sum", "latency_max", "histogram")
         SELECT x.procedure, x.minute, x.instance, x.count, x.errors, x.server_errors, x.latency_sum, x.latency_max, x.histogram
           FROM jsonb_to_recordset($1::jsonb) AS x(procedure text, minute timestamptz, instance text, count int, errors int, server_errors int, latency_sum float8, latency_max float8, histogram jsonb)
         ON CONFLICT ("procedure", "minute", "instance") DO UPDATE SET
           "count" = EXCLUDED."count", "errors" = EXCLUDED."errors", "server_errors" = EXCLUDED."server_errors",
           "latency_sum" = EXCLUDED."latency_sum", "latency_max" = EXCLUDED."latency_max", "histogram" = EXCLUDED."histogram"`,
        JSON.stringify(rows),
      );
    } catch (err) {
      for (const k of keys) this.dirty.add(k);
      if (!this.warned) console.warn(`[metrics] flush failed, keeping samples in memory: ${(err as Error).message}`);
      this.warned = true;
      throw err;
    }
    this.warned = false;
    // minutes that are over and written are no longer needed in memory
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    for (const [k, c] of this.cells) if (c.minute < current - MINUTE_MS && !this.dirty.has(k)) this.cells.delete(k);
  }
}

// One recorder per database per process, kept on globalThis: Next.js bundles each route separately.
const holder = globalThis as unknown as { __ooMetrics?: { recorders: WeakMap<Db, MetricsRecorder>; instance: string; registry: Registry; duration: PromHistogram<"procedure" | "outcome"> } };

function state() {
  if (!holder.__ooMetrics) {
    const registry = new Registry();
    const duration = new PromHistogram({
      name: "oo_procedure_duration_seconds",
      help: "Latency of procedure calls (tRPC, REST, MCP) in this process, by procedure and outcome",
      labelNames: ["procedure", "outcome"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    holder.__ooMetrics = { recorders: new WeakMap(), instance: randomUUID(), registry, duration };
  }
  return holder.__ooMetrics;
}

export function metricsRecorder(db: Db): MetricsRecorder {
  const s = state();
  let r = s.recorders.get(db);
  if (!r) s.recorders.set(db, (r = new MetricsRecorder(db, s.instance)));
  return r;
}

/** Records one call: in memory for /ai/metrics (flushed to the database) and in the Prometheus histogram. */
export function recordCall(db: Db, sample: CallSample): void {
  metricsRecorder(db).record(sample);
  state().duration.observe({ procedure: sample.procedure, outcome: sample.ok ? "success" : sample.status >= 500 ? "error" : "rejected" }, sample.latencyMs / 1000);
}

/** The process's Prometheus registry (the in-process histogram; collectors add database-backed gauges). */
export function promRegistry(): Registry {
  return state().registry;
}

export async function pruneMetrics(db: Db, now: Date): Promise<number> {
  return db.$executeRawUnsafe(`DELETE FROM "procedure_metric" WHERE "minute" < $1::timestamptz`, new Date(now.getTime() - METRICS_RETENTION_MS).toISOString());
}
