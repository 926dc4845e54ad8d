import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { promRegistry } from "@/server/core/metrics";
import type { Deps } from "@/server/deps";
import { listConnections } from "@/server/features/connections/service";
import { listJobStatuses, runCounts } from "@/server/jobs/monitor";
import { guardRoute } from "./guard";
// registers every feature's jobs, which the job metrics report on
import "./jobs";

/**
 * /api/metrics, for Prometheus: this instance's own counters and histograms (procedure calls and
 * durations in seconds, the context near cache, the Node process's default metrics), plus facts every
 * instance reports alike (each connection's state, latency and uptime; each job's last success and
 * lateness; job runs by outcome from the shared run records: aggregate those with max, not sum).
 * Percentiles come from the histograms (histogram_quantile), not from gauges. Needs an API key
 * with metrics:read (x-api-key or Bearer), rate-limited as a read. Refusals are audited; scrapes are
 * not (one every few seconds would drown the log; the metrics themselves are their record).
 */
const holder = globalThis as unknown as { __ooPromDefaults?: Registry };

function processRegistry(): Registry {
  if (!holder.__ooPromDefaults) {
    holder.__ooPromDefaults = new Registry();
    collectDefaultMetrics({ register: holder.__ooPromDefaults });
  }
  return holder.__ooPromDefaults;
}

export async function prometheusText(deps: Deps): Promise<{ text: string; contentType: string }> {
  const reg = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: L[]) => new Gauge<L>({ name, help, labelNames, registers: [reg] });
  const up = gauge("oo_connection_up", "1 when the connection's latest probe succeeded, 0 when it failed", ["connection"]);
  const connLatency = gauge("oo_connection_latency_seconds", "Latency of the connection's latest probe", ["connection"]);
  const uptime = gauge("oo_connection_uptime_ratio", "Share of successful probes in the window (absent when there were none)", ["connection", "window"]);
  const list = await listConnections(deps);
  for (const c of list.connections) {
    if (c.state !== "up" && c.state !== "down") continue;
    up.set({ connection: c.id }, c.state === "up" ? 1 : 0);
    if (c.latencyMs !== null) connLatency.set({ connection: c.id }, c.latencyMs / 1000);
    for (const [w, u] of [
      ["24h", c.uptime.h24],
      ["7d", c.uptime.d7],
      ["30d", c.uptime.d30],
      ["90d", c.uptime.d90],
    ] as const) {
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
  const runs = new Counter({
    name: "oo_job_runs_total",
    help: "Recorded runs of each job by outcome (running, succeeded, failed), over the kept run records",
    labelNames: ["job", "outcome"],
    registers: [reg],
  });
  for (const r of await runCounts(deps)) runs.inc({ job: r.job, outcome: r.outcome }, r.count);
  const cache = deps.kv.nearCacheStats?.();
  if (cache) {
    const count = (name: string, help: string, value: number) => new Counter({ name, help, registers: [reg] }).inc(value);
    gauge("oo_context_cache_live", "1 while this instance's near cache of context entries hears Redis's invalidations (else every read goes to Redis)", []).set(cache.live ? 1 : 0);
    gauge("oo_context_cache_entries", "Context entries this instance holds copies of", []).set(cache.entries);
    gauge("oo_context_cache_bytes", "Approximate size of those copies", []).set(cache.bytes);
    const reads = new Counter({
      name: "oo_context_cache_reads_total",
      help: "Context record reads on this instance, answered from its copy (hit) or by Redis (miss)",
      labelNames: ["result"],
      registers: [reg],
    });
    reads.inc({ result: "hit" }, cache.hits);
    reads.inc({ result: "miss" }, cache.misses);
    count("oo_context_cache_invalidations_total", "Changes Redis reported (or this instance made) to entries it may hold", cache.invalidations);
    count("oo_context_cache_evictions_total", "Copies dropped to stay within CONTEXT_CACHE_MB", cache.evictions);
  }
  const merged = Registry.merge([promRegistry(), processRegistry(), reg]);
  return { text: await merged.metrics(), contentType: merged.contentType };
}

export const handlePrometheus = guardRoute({ action: "GET /api/metrics", surface: "rest", caller: "api_key", permission: "metrics:read", rateLimit: "read" }, async (g) => {
  const { text, contentType } = await prometheusText(g.deps);
  return new Response(text, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
});
