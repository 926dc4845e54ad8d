import type { z } from "zod";
import { can, type Actor } from "@/server/core/auth/actor";
import { newestAuditEvents } from "@/server/core/audit/rows";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import { runProbeJob } from "@/server/features/connections/probe-run";
import { readProgress } from "./progress";
import { connectionRegistry } from "./registry";
import { DAY_MS, HOUR_MS, bucketStart } from "./rollup";
import type { ConnectionHistory, ConnectionSummary, RefreshResult, listConnectionsInput, listConnectionsOutput, stateChangesOutput } from "./schema";
import { CONNECTIONS_MAX_AGE_MS, CONNECTIONS_RUNNING_MAX_AGE_MS, CONNECTIONS_SNAPSHOTS, forgetConnectionSnapshots } from "./snapshots";
import { readDailyRollups, readRollups } from "./store";
import { dayCells, latencySeries, uptimeWindows } from "./uptime";

type List = z.infer<typeof listConnectionsOutput>;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function splitWarnings(details: unknown): { details: Record<string, unknown> | null; warnings: string[] } {
  if (!details || typeof details !== "object" || Array.isArray(details)) return { details: null, warnings: [] };
  const { warnings, ...rest } = details as Record<string, unknown>;
  return { details: rest, warnings: Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === "string") : [] };
}

/**
 * listConnections as every caller of this instance shares it (states, rollups and uptime are read once
 * per CONNECTIONS_MAX_AGE_MS; `asOf` says when); the progress of a run is read live.
 */
export async function sharedConnections(deps: Deps, input: z.infer<typeof listConnectionsInput> = {}): Promise<List> {
  const progress = await readProgress(deps.kv);
  const maxAge = progress.running ? CONNECTIONS_RUNNING_MAX_AGE_MS : CONNECTIONS_MAX_AGE_MS;
  const { value } = await deps.snapshots.get(`${CONNECTIONS_SNAPSHOTS}list`, maxAge, () => listConnections(deps));
  return { ...value, progress, connections: value.connections.filter((c) => matches(c, input)) };
}

const matches = (c: ConnectionSummary, input: z.infer<typeof listConnectionsInput>) => (!input.layer || c.layer === input.layer) && (!input.state || c.state === input.state);

/** Every connection with its latest probe and uptime windows (24 h, 7/30/90 d). */
export async function listConnections(deps: Deps, input: z.infer<typeof listConnectionsInput> = {}, now = new Date()): Promise<List> {
  const defs = connectionRegistry(deps);
  const ids = defs.map((d) => d.id);
  const hourFrom = new Date(bucketStart(now, "hour") - 23 * HOUR_MS);
  const dayFrom = new Date(bucketStart(now, "day") - 89 * DAY_MS);
  const [states, hours, days, progress] = await Promise.all([
    deps.db.connectionState.findMany({ where: { id: { in: ids } } }),
    readRollups(deps.db, ids, "hour", hourFrom),
    readDailyRollups(deps.db, ids, dayFrom),
    readProgress(deps.kv),
  ]);
  const byId = new Map(states.map((s) => [s.id, s]));
  const connections: ConnectionSummary[] = defs.map((def) => {
    const s = def.probe ? byId.get(def.id) : undefined;
    const { details, warnings } = splitWarnings(s?.details);
    return {
      id: def.id,
      label: def.label,
      kind: def.kind,
      layer: def.layer,
      configured: Boolean(def.probe),
      state: !def.probe ? "not_configured" : ((s?.state as ConnectionSummary["state"] | undefined) ?? "unchecked"),
      config: def.config,
      since: iso(s?.since),
      checkedAt: iso(s?.checkedAt),
      latencyMs: s?.latencyMs ?? null,
      error: s?.error ?? null,
      warnings,
      details,
      lastUpAt: iso(s?.lastUpAt),
      lastDownAt: iso(s?.lastDownAt),
      uptime: uptimeWindows(hours.get(def.id) ?? [], days.get(def.id) ?? [], now),
    };
  });
  const lastRun = states.reduce<Date | null>((m, s) => (!m || s.checkedAt > m ? s.checkedAt : m), null);
  return {
    status: connections.some((c) => c.state === "down") ? "degraded" : "ok",
    lastRunAt: iso(lastRun),
    progress,
    asOf: now.toISOString(),
    connections: connections.filter((c) => matches(c, input)),
  };
}

/**
 * connectionHistory as every caller of this instance shares it for up to CONNECTIONS_MAX_AGE_MS (the
 * map refreshes it every minute; a probe run forgets it), with `asOf`.
 */
export async function sharedConnectionHistory(deps: Deps, id: string): Promise<ConnectionHistory> {
  // an unknown id is refused by connectionHistory; the snapshot keeps no failure
  const { value } = await deps.snapshots.get(`${CONNECTIONS_SNAPSHOTS}history:${id}`, CONNECTIONS_MAX_AGE_MS, () => connectionHistory(deps, id));
  return value;
}

/** One connection's last 24 h of latency (10-minute steps) and its last 90 days of uptime. */
export async function connectionHistory(deps: Deps, id: string, now = new Date()): Promise<ConnectionHistory> {
  if (!connectionRegistry(deps).some((d) => d.id === id)) throw new AppError("NOT_FOUND", `No connection "${id}"; see GET /ai/connections.`);
  const step = 10 * 60_000;
  const to = bucketStart(now, "minute") + 60_000;
  const from = to - DAY_MS;
  const [minutes, days] = await Promise.all([readRollups(deps.db, [id], "minute", new Date(from)), readDailyRollups(deps.db, [id], new Date(bucketStart(now, "day") - 89 * DAY_MS))]);
  return { id, asOf: now.toISOString(), latency: latencySeries(minutes.get(id) ?? [], from, to, step), days: dayCells(days.get(id) ?? [], now, 90) };
}

/** Dashboard users from operator up may run the probes now; keys need metrics:read (checked by the builder). */
export function canRefresh(actor: Actor): boolean {
  return actor.type !== "user" || can(actor, "connections:refresh");
}

/**
 * Runs the probes now. When a run is already going (the schedule, another instance), waits for it
 * to finish and answers with its results instead of probing twice.
 */
export async function refreshConnections(deps: Deps, actor: Actor, ids?: string[]): Promise<RefreshResult> {
  if (!canRefresh(actor)) throw new AppError("FORBIDDEN", "Running the probes needs the operator role.");
  const known = new Set(connectionRegistry(deps).map((d) => d.id));
  const unknown = ids?.filter((id) => !known.has(id)) ?? [];
  if (unknown.length) throw new AppError("BAD_REQUEST", `Unknown connection(s): ${unknown.join(", ")}`);
  const run = await runProbeJob(deps, { trigger: "refresh", ids });
  if (run.ran) {
    return { ran: true, runId: run.runId, durationMs: run.durationMs, results: run.results.map((r) => ({ id: r.id, state: r.state, latencyMs: r.latencyMs, error: r.error })) };
  }
  const waitStarted = performance.now();
  const deadline = Date.now() + deps.env.PROBE_TIMEOUT_MS * 2 + 5_000;
  while (Date.now() < deadline && (await readProgress(deps.kv)).running) await new Promise((r) => setTimeout(r, 250));
  forgetConnectionSnapshots(deps); // the run may have been another instance's: what this one kept is older than its results
  const latest = await listConnections(deps);
  const wanted = latest.connections.filter((c) => c.configured && (!ids || ids.includes(c.id)));
  return { ran: false, runId: null, durationMs: Math.round(performance.now() - waitStarted), results: wanted.map((c) => ({ id: c.id, state: c.state, latencyMs: c.latencyMs, error: c.error })) };
}

/** The latest up/down changes, from the audit log (where they are recorded with their reason). */
export async function stateChanges(deps: Deps, limit: number): Promise<z.infer<typeof stateChangesOutput>> {
  const rows = await newestAuditEvents(deps, `"resource_type" = 'connection' AND "action" = ANY($1::text[])`, [["connection.down", "connection.up"]], limit);
  return {
    items: rows.map((r) => {
      const d = (r.detail ?? {}) as { from?: unknown; error?: unknown };
      return {
        seq: r.seq,
        at: r.at,
        connection: r.target ?? "",
        to: r.action === "connection.down" ? ("down" as const) : ("up" as const),
        from: typeof d.from === "string" ? d.from : null,
        error: typeof d.error === "string" ? d.error : null,
      };
    }),
  };
}

/** The latest probe of each connection other than the database and the store (which the status page checks live). */
export async function latestProbeStates(deps: Deps): Promise<{ name: string; kind: string; state: ConnectionSummary["state"]; latencyMs: number | null; detail: string | null }[]> {
  const defs = connectionRegistry(deps).filter((d) => d.id !== "database" && d.id !== "store");
  // the status page must answer even when the database does not: then nothing is known of the others
  const rows = await deps.db.connectionState.findMany({ where: { id: { in: defs.filter((d) => d.probe).map((d) => d.id) } } }).catch(() => []);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return defs.map((d) => {
    const r = d.probe ? byId.get(d.id) : undefined;
    const state = !d.probe ? "not_configured" : ((r?.state as ConnectionSummary["state"] | undefined) ?? "unchecked");
    return { name: d.id, kind: d.kind, state, latencyMs: r?.latencyMs ?? null, detail: state === "down" ? (r?.error ?? null) : null };
  });
}

/** The embedded database's folder is the server's disk: named to dashboard users, not to API keys. */
export function withoutDiskPaths(actor: Actor, list: List): List {
  if (actor.type !== "api_key") return list;
  return { ...list, connections: list.connections.map((c) => (c.kind === "pglite" && c.config.location ? { ...c, config: { ...c.config, location: "embedded" } } : c)) };
}
