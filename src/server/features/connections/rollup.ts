/**
 * Rollup arithmetic, pure: probes are counted into per-minute buckets (kept a day) and per-hour
 * buckets (kept 90 days). Only "up" and "down" probes count; latency only from probes that were up.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export type Resolution = "minute" | "hour";
const SIZE: Record<Resolution, number> = { minute: MINUTE_MS, hour: HOUR_MS };

/** How long each kind of row is kept. */
export const RETENTION_MS = { raw: DAY_MS, minute: DAY_MS, hour: 90 * DAY_MS } as const;

export function bucketStart(at: Date | number, resolution: Resolution | "day"): number {
  const t = typeof at === "number" ? at : at.getTime();
  const size = resolution === "day" ? DAY_MS : SIZE[resolution];
  return Math.floor(t / size) * size;
}

export interface ProbeSample {
  connectionId: string;
  at: Date;
  state: string;
  latencyMs: number | null;
}

export interface RollupDelta {
  connectionId: string;
  resolution: Resolution;
  bucket: Date;
  up: number;
  down: number;
  latencySum: number;
  latencyCount: number;
  latencyMax: number | null;
}

/** What a batch of probes adds to each bucket it falls in, at both resolutions. */
export function rollupDeltas(samples: ProbeSample[]): RollupDelta[] {
  const out = new Map<string, RollupDelta>();
  for (const s of samples) {
    if (s.state !== "up" && s.state !== "down") continue;
    for (const resolution of ["minute", "hour"] as const) {
      const bucket = bucketStart(s.at, resolution);
      const key = `${s.connectionId}\u0000${resolution}\u0000${bucket}`;
      let d = out.get(key);
      if (!d) out.set(key, (d = { connectionId: s.connectionId, resolution, bucket: new Date(bucket), up: 0, down: 0, latencySum: 0, latencyCount: 0, latencyMax: null }));
      if (s.state === "up") {
        d.up += 1;
        if (s.latencyMs !== null && Number.isFinite(s.latencyMs)) {
          d.latencySum += s.latencyMs;
          d.latencyCount += 1;
          d.latencyMax = Math.max(d.latencyMax ?? 0, s.latencyMs);
        }
      } else {
        d.down += 1;
      }
    }
  }
  return [...out.values()];
}

/** Rows older than these instants are pruned. */
export function pruneCutoffs(now: Date): { raw: Date; minute: Date; hour: Date } {
  const t = now.getTime();
  return {
    raw: new Date(t - RETENTION_MS.raw),
    minute: new Date(bucketStart(t - RETENTION_MS.minute, "minute")),
    hour: new Date(bucketStart(t - RETENTION_MS.hour, "hour")),
  };
}
