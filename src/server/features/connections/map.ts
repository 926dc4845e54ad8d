import type { ConnectionSummary } from "./schema";

/**
 * The connection map (`/maps/connections.json`), built live from the latest probes. Its
 * dashboard read `timestamp` and `results[].{component, check, status}` with status "ok" or "err…";
 * the rest (state, latency, uptime, layers) is added for newer readers.
 */
const CHECKS: Record<string, string> = {
  database: "SELECT 1 and _prisma_migrations",
  store: "PING",
  github: "GET /rate_limit (authenticated)",
  openai: "GET /models",
  pinecone: "describe_index_stats",
  cloudways: "token and GET /server",
  slack: "configured (not contacted)",
  smtp: "SMTP greeting",
};

function checkOf(c: ConnectionSummary): string {
  if (c.kind === "wp-rest") return c.config.siteHealth === "application password" ? "GET /wp-json/ and Site Health tests" : "GET /wp-json/";
  return CHECKS[c.id] ?? "probe";
}

function statusOf(c: ConnectionSummary): string {
  if (c.state === "up") return "ok";
  if (c.state === "down") return `err: ${c.error ?? "down"}`;
  return c.state === "not_configured" ? "not configured" : "unchecked";
}

export function connectionMap(list: { status: string; lastRunAt: string | null; connections: ConnectionSummary[] }, now = new Date()) {
  return {
    timestamp: now.toISOString(),
    status: list.status,
    lastRunAt: list.lastRunAt,
    results: list.connections.map((c) => ({
      component: c.label,
      id: c.id,
      layer: c.layer,
      kind: c.kind,
      check: checkOf(c),
      status: statusOf(c),
      state: c.state,
      latencyMs: c.latencyMs,
      checkedAt: c.checkedAt,
      uptime24hPct: c.uptime.h24.pct,
      uptime30dPct: c.uptime.d30.pct,
    })),
    edges: list.connections.filter((c) => c.configured).map((c) => ({ from: "orchestrator", to: c.id, state: c.state })),
  };
}
