import type { Deps } from "@/server/deps";
import { runProbeJob } from "./probe";

/**
 * The probe schedule of a long-running server (`next dev`, `next start`): a first run shortly after
 * start, then every `intervalSeconds`. Timers are unref'd so they never keep a process alive, and a
 * second start (dev reloads modules) is a no-op. Serverless deployments use /api/cron/probe instead.
 */
const holder = globalThis as unknown as { __ooProbeScheduler?: { stop: () => void } };

export function startProbeScheduler(deps: Deps, intervalSeconds: number, firstRunAfterMs = 3_000): () => void {
  if (holder.__ooProbeScheduler) return holder.__ooProbeScheduler.stop;
  const tick = () => void runProbeJob(deps, { trigger: "scheduler" }).catch((err: Error) => console.warn(`[probe] scheduled run failed: ${err.message}`));
  const first = setTimeout(tick, firstRunAfterMs);
  const every = setInterval(tick, intervalSeconds * 1000);
  first.unref();
  every.unref();
  const stop = () => {
    clearTimeout(first);
    clearInterval(every);
    holder.__ooProbeScheduler = undefined;
  };
  holder.__ooProbeScheduler = { stop };
  return stop;
}
