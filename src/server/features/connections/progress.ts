import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { ProbeProgress } from "./schema";

/**
 * Progress of the current probe run, for the Refresh button: in the shared store so any instance
 * can answer, mirrored in process so it still works while the store is down (it is best effort).
 */
const KEY = "probe:progress";
const TTL_MS = 10 * 60_000;
const local = globalThis as unknown as { __ooProbeProgress?: ProbeProgress };

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
    return this.writing;
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
    const raw = await kv.get(KEY);
    if (raw) return JSON.parse(raw) as ProbeProgress;
  } catch {
    // the store is down: this instance's own view is the best there is
  }
  return local.__ooProbeProgress ?? IDLE;
}
