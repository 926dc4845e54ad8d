import { randomUUID } from "node:crypto";

/**
 * The load drill: a mixed read/write workload against a running deployment through its REST API,
 * then the proof that nothing was lost — every acknowledged call has its audit event (matched by
 * request id), no 5xx, and the audit chain still verifies.
 */
export interface LoadDrillOptions {
  url: string;
  key: string;
  durationSeconds: number;
  connections: number;
  /** Stops early (tests, Ctrl-C). */
  signal?: AbortSignal;
}

export interface LoadDrillReport {
  requests: number;
  byStatus: Record<string, number>;
  serverErrors: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  /** Acknowledged calls (any answer with a request id) whose audit event is missing. */
  lostAuditRows: number;
  lostRequestIds: string[];
  chainOk: boolean;
  chainReason: string | null;
  ok: boolean;
}

interface Call {
  method: "GET" | "PUT";
  path: string;
  body?: unknown;
}

/** One call of the mix: mostly reads, a write in four (context entries of this drill's own scope). */
function nextCall(i: number, scope: string): Call {
  const key = `drill-${i % 50}`;
  switch (i % 4) {
    case 0:
      return { method: "PUT", path: "/ai/context", body: { scope, key, value: { n: i, at: new Date().toISOString() }, ttlSeconds: 900 } };
    case 1:
      return { method: "GET", path: `/ai/context?scope=${encodeURIComponent(scope)}&key=${key}` };
    case 2:
      return { method: "GET", path: "/ai/status" };
    default:
      return { method: "GET", path: "/ai/audit/recent?limit=5" };
  }
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);

export async function runLoadDrill(opts: LoadDrillOptions): Promise<LoadDrillReport> {
  const base = opts.url.replace(/\/+$/, "");
  const headers = { "x-api-key": opts.key, "content-type": "application/json" };
  const scope = `session:drill-${randomUUID().slice(0, 8)}`;
  const acknowledged = new Set<string>();
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const start = new Date();
  const until = performance.now() + opts.durationSeconds * 1000;
  let i = 0;

  const whoami = (await (await fetch(`${base}/ai/whoami`, { headers })).json()) as { clientId?: string };
  if (!whoami.clientId) throw new Error(`${base}/ai/whoami did not name the key's client: is the key valid?`);

  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < until && !opts.signal?.aborted) {
        const call = nextCall(i++, scope);
        const t0 = performance.now();
        let status = "network";
        try {
          const res = await fetch(`${base}${call.path}`, { method: call.method, headers, body: call.body === undefined ? undefined : JSON.stringify(call.body) });
          await res.arrayBuffer();
          status = String(res.status);
          const id = res.headers.get("x-request-id");
          if (id) acknowledged.add(id);
        } catch {
          // a connection refused or reset counts as a failure below
        }
        latencies.push(performance.now() - t0);
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (Date.now() - start.getTime()) / 1000;

  // every audit event of this key's client since the start, by request id
  const audited = new Set<string>();
  let cursor: number | null = null;
  do {
    const q = new URLSearchParams({ clientId: whoami.clientId, since: start.toISOString(), limit: "200", ...(cursor ? { cursor: String(cursor) } : {}) });
    const page = (await (await fetch(`${base}/ai/audit?${q}`, { headers })).json()) as { items: { requestId: string }[]; nextCursor: number | null };
    for (const e of page.items) audited.add(e.requestId);
    cursor = page.nextCursor;
  } while (cursor);
  const lost = [...acknowledged].filter((id) => !audited.has(id));

  const verify = (await (await fetch(`${base}/ai/audit/verify`, { headers })).json()) as { ok?: boolean; reason?: string | null };
  latencies.sort((a, b) => a - b);
  const serverErrors = Object.entries(byStatus).reduce((n, [s, c]) => n + (s === "network" || Number(s) >= 500 ? c : 0), 0);
  const report: LoadDrillReport = {
    requests: latencies.length,
    byStatus,
    serverErrors,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    requestsPerSecond: Math.round(latencies.length / elapsed),
    lostAuditRows: lost.length,
    lostRequestIds: lost.slice(0, 20),
    chainOk: verify.ok === true,
    chainReason: verify.reason ?? null,
    ok: false,
  };
  report.ok = report.serverErrors === 0 && report.lostAuditRows === 0 && report.chainOk;
  return report;
}

export function formatLoadReport(r: LoadDrillReport): string {
  return [
    `requests: ${r.requests} (${r.requestsPerSecond}/s); statuses: ${Object.entries(r.byStatus)
      .map(([s, n]) => `${s}=${n}`)
      .join(" ")}`,
    `latency: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    `5xx or network failures: ${r.serverErrors}`,
    `lost audit rows: ${r.lostAuditRows}${r.lostRequestIds.length ? ` (e.g. ${r.lostRequestIds.slice(0, 5).join(", ")})` : ""}`,
    `audit chain: ${r.chainOk ? "ok" : `BROKEN — ${r.chainReason}`}`,
    r.ok ? "drill load: passed" : "drill load: FAILED",
  ].join("\n");
}
