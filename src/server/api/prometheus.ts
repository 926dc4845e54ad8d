import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { AppError } from "@/server/core/errors";
import { promRegistry } from "@/server/core/metrics";
import type { Deps } from "@/server/deps";
import { listConnections } from "@/server/features/connections/service";
import { getMetrics } from "@/server/features/metrics/service";
import { listJobStatuses, runCounts } from "@/server/jobs/monitor";
import { guardRoute } from "./guard";
// registers every feature's jobs, which the job metrics report on
import "./jobs";

/**
 * /api/metrics: what /ai/metrics says, in Prometheus text format, for scrapers. Needs an API key
 * with metrics:read (x-api-key or Bearer), rate-limited as a read. Refusals are audited; scrapes are
 * not (one every few seconds would drown the log; the metrics themselves are their record).
 */
const holder = globalThis as unknown as { __ooPromDefaults?: Registry };

function processRegistry(): Registry {
  if (!holder.__ooPromDefaults) {
    holder.__ooPromDefaults = new Registry();
    collectDefaultMetrics({ register: holder.__ooPromDefaults, prefix: "oo_" });
  }
  return holder.__ooPromDefaults;
}

export async function prometheusText(deps: Deps, windowMinutes = 60): Promise<{ text: string; contentType: string }> {
  const m = await getMetrics(deps, windowMinutes);
  const reg = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: L[]) => new Gauge<L>({ name, help, labelNames, registers: [reg] });
  const window = `${windowMinutes}m`;
  const calls = gauge("oo_procedure_window_calls", "Calls of each procedure in the window (all instances)", ["procedure", "window"]);
  const errors = gauge("oo_procedure_window_error_ratio", "Share of calls in the window that did not succeed", ["procedure", "window"]);
  const latency = gauge("oo_procedure_window_latency_ms", "Latency percentiles of each procedure in the window", ["procedure", "window", "quantile"]);
  for (const p of m.procedures) {
    calls.set({ procedure: p.procedure, window }, p.count);
    errors.set({ procedure: p.procedure, window }, p.errorRate);
    for (const [q, v] of [["0.5", p.p50Ms], ["0.95", p.p95Ms], ["0.99", p.p99Ms]] as const) if (v !== null) latency.set({ procedure: p.procedure, window, quantile: q }, v);
  }
  const up = gauge("oo_connection_up", "1 when the connection's latest probe succeeded, 0 when it failed", ["connection"]);
  const connLatency = gauge("oo_connection_latency_ms", "Latency of the connection's latest probe", ["connection"]);
  const uptime = gauge("oo_connection_uptime_ratio", "Share of successful probes in the window (absent when there were none)", ["connection", "window"]);
  const list = await listConnections(deps);
  for (const c of list.connections) {
    if (c.state !== "up" && c.state !== "down") continue;
    up.set({ connection: c.id }, c.state === "up" ? 1 : 0);
    if (c.latencyMs !== null) connLatency.set({ connection: c.id }, c.latencyMs);
    for (const [w, u] of [["24h", c.uptime.h24], ["7d", c.uptime.d7], ["30d", c.uptime.d30], ["90d", c.uptime.d90]] as const) {
      if (u.pct !== null) uptime.set({ connection: c.id, window: w }, u.pct / 100);
    }
  }
  const jobs = await listJobStatuses(deps);
  const lastSuccess = gauge("oo_job_last_success_timestamp_seconds", "Unix time of each job's last successful run (absent when it never succeeded)", ["job"]);
  const late = gauge("oo_job_late", "1 when a scheduled job has not succeeded within twice its interval", ["job"]);
  for (const j of jobs) {
    if (j.lastSuccessAt) lastSuccess.set({ job: j.name }, Math.floor(j.lastSuccessAt.getTime() / 1000));
    if (j.schedule) late.set({ job: j.name }, j.late ? 1 : 0);
  }
  const runs = new Counter({ name: "oo_job_runs_total", help: "Recorded runs of each job by outcome (running, succeeded, failed), over the kept run records", labelNames: ["job", "outcome"], registers: [reg] });
  for (const r of await runCounts(deps)) runs.inc({ job: r.job, outcome: r.outcome }, r.count);
  const cache = deps.kv.nearCacheStats?.();
  if (cache) {
    const count = (name: string, help: string, value: number) => new Counter({ name, help, registers: [reg] }).inc(value);
    gauge("oo_context_cache_live", "1 while this instance's near cache of context entries hears Redis's invalidations (else every read goes to Redis)", []).set(cache.live ? 1 : 0);
    gauge("oo_context_cache_entries", "Context entries this instance holds copies of", []).set(cache.entries);
    gauge("oo_context_cache_bytes", "Approximate size of those copies", []).set(cache.bytes);
    const reads = new Counter({ name: "oo_context_cache_reads_total", help: "Context record reads on this instance, answered from its copy (hit) or by Redis (miss)", labelNames: ["result"], registers: [reg] });
    reads.inc({ result: "hit" }, cache.hits);
    reads.inc({ result: "miss" }, cache.misses);
    count("oo_context_cache_invalidations_total", "Changes Redis reported (or this instance made) to entries it may hold", cache.invalidations);
    count("oo_context_cache_evictions_total", "Copies dropped to stay within CONTEXT_CACHE_MB", cache.evictions);
  }
  const merged = Registry.merge([promRegistry(), processRegistry(), reg]);
  return { text: await merged.metrics(), contentType: merged.contentType };
}

export const handlePrometheus = guardRoute(
  { action: "GET /api/metrics", surface: "rest", caller: "api_key", permission: "metrics:read", rateLimit: "read" },
  async (g) => {
    const window = Number(new URL(g.req.url).searchParams.get("window") ?? 60);
    if (!Number.isInteger(window) || window < 1 || window > 10_080) throw new AppError("BAD_REQUEST", "window must be whole minutes between 1 and 10080.");
    const { text, contentType } = await prometheusText(g.deps, window);
    return new Response(text, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
  },
);
