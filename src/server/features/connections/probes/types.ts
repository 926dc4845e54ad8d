import type { Layer } from "../schema";

/** What a probe found. A probe throws when the connection is down. */
export interface ProbeOutcome {
  /** "unchecked": configured, but deliberately not contacted (a Slack webhook would post a message). */
  state?: "up" | "unchecked";
  /** The latency that matters, when not the whole probe's duration (e.g. the database round trip). */
  latencyMs?: number;
  details?: Record<string, unknown>;
  /** Up, but something deserves a look (pending migrations, a critical Site Health test, a low rate limit). */
  warnings?: string[];
}

export type Probe = (signal: AbortSignal) => Promise<ProbeOutcome>;

export interface ConnectionDef {
  id: string;
  label: string;
  kind: string;
  layer: Layer;
  /** What it is configured with, for people: hosts, names, which auth — never a secret. */
  config: Record<string, string>;
  /** null when not configured. */
  probe: Probe | null;
  /** Values that must never appear in an error message (tokens, passwords). */
  secrets: string[];
}

/** Rejects when the signal aborts, for work that cannot be cancelled itself (a Redis PING, a SQL query). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
