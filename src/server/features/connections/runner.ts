import type { ConnectionStateValue } from "./schema";
import type { ConnectionDef } from "./probes/types";

/** One probe's result, as stored and shown. */
export interface ProbeRecord {
  id: string;
  kind: string;
  at: Date;
  state: ConnectionStateValue;
  latencyMs: number | null;
  error: string | null;
  details: Record<string, unknown> | null;
}

export class ProbeTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "ProbeTimeoutError";
  }
}

const MAX_ERROR = 500;

/** An error message safe to store and show: no configured secret, no credentials in URLs, bounded. */
export function scrubError(message: string, secrets: string[]): string {
  let out = message.replace(/(\w+:\/\/)[^/\s:@]+(:[^/\s@]*)?@/g, "$1***@");
  for (const s of secrets) if (s) out = out.split(s).join("***");
  return out.length > MAX_ERROR ? `${out.slice(0, MAX_ERROR - 1)}…` : out;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Runs one probe under a deadline. The probe's signal aborts at the deadline, and the result says
 * "down" then even if the probe ignores its signal (a hung driver cannot hold the run).
 */
export async function runProbe(def: ConnectionDef, timeoutMs: number, now: () => Date = () => new Date()): Promise<ProbeRecord> {
  const at = now();
  const base = { id: def.id, kind: def.kind, at };
  if (!def.probe) return { ...base, state: "not_configured", latencyMs: null, error: null, details: null };
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new ProbeTimeoutError(timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([def.probe(controller.signal), deadline]);
    const elapsed = performance.now() - started;
    const details = { ...(outcome.details ?? {}), ...(outcome.warnings?.length ? { warnings: outcome.warnings.map((w) => scrubError(w, def.secrets)) } : {}) };
    return { ...base, state: outcome.state ?? "up", latencyMs: round1(outcome.latencyMs ?? elapsed), error: null, details };
  } catch (err) {
    const message = err instanceof ProbeTimeoutError ? err.message : (err as Error)?.message || String(err);
    return { ...base, state: "down", latencyMs: round1(performance.now() - started), error: scrubError(message, def.secrets), details: null };
  } finally {
    clearTimeout(timer);
  }
}

/** All probes at once: the run takes as long as the slowest, not the sum. `onDone` sees each as it finishes. */
export async function runProbes(defs: ConnectionDef[], timeoutMs: number, onDone?: (r: ProbeRecord) => void): Promise<ProbeRecord[]> {
  return Promise.all(
    defs.map(async (def) => {
      const r = await runProbe(def, timeoutMs);
      onDone?.(r);
      return r;
    }),
  );
}
