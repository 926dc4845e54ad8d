/**
 * The rollback drill: run against a deployment of the previous release started on the current
 * (migrated) database, it checks that build still answers its health and one read of every feature
 * it publishes — every GET operation of its own OpenAPI document that needs no parameter. Any 5xx
 * (or a health that is not ok) means the migrations were not expand/contract.
 */
export interface RollbackCheck {
  operation: string;
  path: string;
  status: number | "network";
  ok: boolean;
}

export interface RollbackReport {
  checks: RollbackCheck[];
  ok: boolean;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { operationId?: string; parameters?: { required?: boolean; in: string }[] }>>;
}

async function statusOf(url: string, headers: Record<string, string>): Promise<number | "network"> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return "network";
  }
}

export async function runRollbackDrill(opts: { url: string; key: string }): Promise<RollbackReport> {
  const base = opts.url.replace(/\/+$/, "");
  const headers = { "x-api-key": opts.key };
  const checks: RollbackCheck[] = [];
  const health = await statusOf(`${base}/api/health`, {});
  checks.push({ operation: "health", path: "/api/health", status: health, ok: health === 200 });
  const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as OpenApiDoc & { servers?: { url: string }[] };
  const prefix = new URL(doc.servers?.[0]?.url ?? `${base}/ai`, base).pathname.replace(/\/+$/, "");
  for (const [p, ops] of Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b))) {
    const get = ops.get;
    if (!get || p.includes("{") || (get.parameters ?? []).some((x) => x.required)) continue;
    const status = await statusOf(`${base}${prefix}${p}`, headers);
    // 4xx is the build answering (a scope this key lacks, a feature not configured); 5xx or no answer is not
    checks.push({ operation: get.operationId ?? p, path: `${prefix}${p}`, status, ok: status !== "network" && status < 500 });
  }
  return { checks, ok: checks.every((c) => c.ok) };
}

export function formatRollbackReport(r: RollbackReport): string {
  const lines = r.checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${String(c.status).padEnd(7)} ${c.operation} (${c.path})`);
  return [...lines, r.ok ? "drill rollback: passed" : "drill rollback: FAILED"].join("\n");
}
