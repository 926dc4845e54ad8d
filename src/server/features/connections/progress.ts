import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { ProbeProgress } from "./schema";

/**
 * Progress of the current probe run, for the Refresh button: in the shared store so any instance
 * can answer, mirrored in process so it still works while the store is down (it is best effort).
 */
const KEY = "probe:progress";
const TTL_MS = 10 * 60_000;
const local = globalThis as unknown as { __ooProbeProgress?: ProbeProgress };
/** Progress is best effort: a store that is down or slow must not hold a run or a page for long. */
const STORE_WAIT_MS = 300;

function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export const IDLE: ProbeProgress = { running: false, runId: null, startedAt: null, finishedAt: null, total: 0, done: [] };

export class ProgressTracker {
  private state: ProbeProgress;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KeyValueStore,
    runId: string,
    startedAt: Date,
    total: number,
  ) {
    this.state = { running: true, runId, startedAt: startedAt.toISOString(), finishedAt: null, total, done: [] };
    this.publish();
  }

  markDone(id: string) {
    this.state = { ...this.state, done: [...this.state.done, id] };
    this.publish();
  }

  finish(at: Date): Promise<void> {
    this.state = { ...this.state, running: false, finishedAt: at.toISOString() };
    this.publish();
    return within(this.writing, STORE_WAIT_MS).then(() => undefined);
  }

  // Writes are chained so the store never ends with an older snapshot than the last one.
  private publish() {
    const snapshot = this.state;
    local.__ooProbeProgress = snapshot;
    this.writing = this.writing.then(() => this.kv.set(KEY, JSON.stringify(snapshot), { ttlMs: TTL_MS }).catch(() => undefined));
  }
}

export async function readProgress(kv: KeyValueStore): Promise<ProbeProgress> {
  try {
    const raw = await within(kv.get(KEY), STORE_WAIT_MS);
    if (raw) return JSON.parse(raw) as ProbeProgress;
  } catch {
    // the store is down: this instance's own view is the best there is
  }
  return local.__ooProbeProgress ?? IDLE;
}
