import { randomUUID } from "node:crypto";
import { systemActor } from "@/server/core/auth/actor";
import { pruneMetrics } from "@/server/core/metrics";
import type { Deps } from "@/server/deps";
import { ProgressTracker } from "./progress";
import { connectionRegistry } from "./registry";
import { forgetConnectionSnapshots } from "./snapshots";
import { runProbes, type ProbeRecord } from "./runner";
import { applyStates, pruneProbes, saveResults } from "./store";
import { dampingOf } from "@/server/features/notifications/damping";

/**
 * The probe job (the `probe` job on its schedule, /api/cron/probe, the Refresh button): probes every
 * configured connection at once, stores the results and their rollups, audits up/down changes, prunes.
 * Safe to run twice at once: a lock in the shared store lets one run; the other reports it did not.
 * With the store down the lock cannot be taken, and the run goes ahead: state changes are still
 * compare-and-set in the database, so a concurrent run can at worst probe twice, never audit twice.
 */
export const PROBE_LOCK_KEY = "lock:probe";
const PRUNE_EVERY_MS = 10 * 60_000;

export interface ProbeRunSummary {
  ran: boolean;
  runId: string | null;
  startedAt: string;
  durationMs: number;
  results: ProbeRecord[];
  changes: { id: string; to: "up" | "down" }[];
}

type Trigger = "cron" | "scheduler" | "refresh" | "bench";
const proc = globalThis as unknown as { __ooProbeRunning?: Set<unknown>; __ooProbePrunedAt?: number };

async function takeLock(deps: Deps, runId: string): Promise<"taken" | "busy" | "unavailable"> {
  try {
    const ttl = deps.env.PROBE_TIMEOUT_MS * 3 + 30_000;
    return (await deps.kv.setIfAbsent(PROBE_LOCK_KEY, runId, ttl)) ? "taken" : "busy";
  } catch (err) {
    console.warn(`[probe] store unavailable, running without the shared lock: ${(err as Error).message}`);
    return "unavailable";
  }
}

async function releaseLock(deps: Deps, runId: string) {
  try {
    if ((await deps.kv.get(PROBE_LOCK_KEY)) === runId) await deps.kv.del(PROBE_LOCK_KEY);
  } catch {
    // the lock expires by itself
  }
}

export async function runProbeJob(deps: Deps, opts: { trigger: Trigger; ids?: string[]; now?: () => Date } = { trigger: "cron" }): Promise<ProbeRunSummary> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const t0 = performance.now();
  const running = (proc.__ooProbeRunning ??= new Set());
  const skipped = (): ProbeRunSummary => ({ ran: false, runId: null, startedAt: started.toISOString(), durationMs: 0, results: [], changes: [] });
  // in this process, one run per database at a time even when the shared store cannot lock
  if (running.has(deps.db)) return skipped();
  running.add(deps.db);
  const runId = randomUUID();
  try {
    if ((await takeLock(deps, runId)) === "busy") return skipped();
    try {
      const defs = connectionRegistry(deps).filter((d) => d.probe && (!opts.ids || opts.ids.includes(d.id)));
      const progress = new ProgressTracker(deps.kv, runId, started, defs.length);
      const results = await runProbes(defs, deps.env.PROBE_TIMEOUT_MS, (r) => progress.markDone(r.id));
      await saveResults(deps.db, runId, results);
      const call = { actor: systemActor("probe"), requestId: runId, surface: "system" as const };
      const { changes } = await applyStates(deps.db, deps.audit, call, results, dampingOf(deps.env));
      await progress.finish(now());
      forgetConnectionSnapshots(deps);
      await maybePrune(deps, now());
      const durationMs = Math.round(performance.now() - t0);
      const down = results.filter((r) => r.state === "down").map((r) => r.id);
      if (opts.trigger !== "scheduler" || changes.length) {
        console.log(
          `[probe] ${opts.trigger}: ${results.length} probed in ${durationMs} ms${down.length ? `, down: ${down.join(", ")}` : ""}${changes.length ? `, changed: ${changes.map((c) => `${c.id}→${c.to}`).join(", ")}` : ""}`,
        );
      }
      return { ran: true, runId, startedAt: started.toISOString(), durationMs, results, changes };
    } finally {
      await releaseLock(deps, runId);
    }
  } finally {
    running.delete(deps.db);
  }
}

async function maybePrune(deps: Deps, now: Date) {
  if (proc.__ooProbePrunedAt && now.getTime() - proc.__ooProbePrunedAt < PRUNE_EVERY_MS) return;
  proc.__ooProbePrunedAt = now.getTime();
  try {
    await pruneProbes(deps.db, now);
    await pruneMetrics(deps.db, now);
  } catch (err) {
    console.warn(`[probe] pruning failed: ${(err as Error).message}`);
  }
}
