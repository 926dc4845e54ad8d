import type { Deps } from "@/server/deps";
import { runQueuedIndexJobs } from "./jobs";

/**
 * The in-process worker of a long-running server: carries out queued index runs (webhook pushes,
 * the dashboard's Reindex) every `intervalSeconds`. One pass at a time; timers never keep the process
 * alive; a second start (dev reloads modules) is a no-op. `npx orchestrator worker` is the same loop
 * in its own process, for deployments on a shared Postgres.
 */
const holder = globalThis as unknown as { __ooIndexWorker?: { stop: () => void } };

export function startIndexWorker(deps: Deps, intervalSeconds: number): () => void {
  if (holder.__ooIndexWorker) return holder.__ooIndexWorker.stop;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const o of await runQueuedIndexJobs(deps)) {
        if (o.status === "succeeded") console.log(`[index] ${o.repoId}: ${o.result.added} added, ${o.result.changed} changed, ${o.result.removed} removed in ${o.result.durationMs} ms`);
        else console.warn(`[index] ${o.repoId}: ${o.status} — ${o.error}`);
      }
    } catch (err) {
      console.warn(`[index] queued runs failed: ${(err as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const every = setInterval(() => void tick(), intervalSeconds * 1000);
  every.unref();
  const stop = () => {
    clearInterval(every);
    holder.__ooIndexWorker = undefined;
  };
  holder.__ooIndexWorker = { stop };
  return stop;
}
