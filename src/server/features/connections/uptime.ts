import { bucketStart, DAY_MS, HOUR_MS, type Resolution } from "./rollup";

/**
 * Uptime and latency arithmetic over rollup buckets, pure (the clock is an argument). A window
 * with no probes has no uptime (null), never 100 %; coverage says how much of it had any data.
 */
export interface Bucket {
  bucket: Date;
  up: number;
  down: number;
  latencySum: number;
  latencyCount: number;
  latencyMax: number | null;
}

export interface Uptime {
  /** up / (up + down) as a percentage, null without probes. */
  pct: number | null;
  probes: number;
  down: number;
  /** Share of the window's buckets that had at least one probe (0..1). */
  coverage: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Uptime over the buckets starting in [from, to), the window being `expected` buckets long. */
export function uptimeOver(rows: Bucket[], from: number, to: number, expected: number): Uptime {
  let up = 0;
  let down = 0;
  let withData = 0;
  for (const r of rows) {
    const t = r.bucket.getTime();
    if (t < from || t >= to) continue;
    up += r.up;
    down += r.down;
    if (r.up + r.down > 0) withData += 1;
  }
  const probes = up + down;
  return { pct: probes === 0 ? null : round((up / probes) * 100, 3), probes, down, coverage: expected > 0 ? round(Math.min(1, withData / expected), 4) : 0 };
}

export interface UptimeWindows {
  h24: Uptime;
  d7: Uptime;
  d30: Uptime;
  d90: Uptime;
}

/**
 * The four windows, each the last N hours or UTC days up to and including the current one:
 * 24 h from hourly buckets, 7/30/90 d from daily sums of the hourly buckets.
 */
export function uptimeWindows(hourRows: Bucket[], dayRows: Bucket[], now: Date): UptimeWindows {
  const hourEnd = bucketStart(now, "hour") + HOUR_MS;
  const dayEnd = bucketStart(now, "day") + DAY_MS;
  const days = (n: number) => uptimeOver(dayRows, dayEnd - n * DAY_MS, dayEnd, n);
  return { h24: uptimeOver(hourRows, hourEnd - 24 * HOUR_MS, hourEnd, 24), d7: days(7), d30: days(30), d90: days(90) };
}

/** Sums buckets into coarser ones (hour → day), keyed by the coarse bucket's start. */
export function coarsen(rows: Bucket[], to: Resolution | "day"): Bucket[] {
  const out = new Map<number, Bucket>();
  for (const r of rows) {
    const key = bucketStart(r.bucket, to);
    const b = out.get(key) ?? { bucket: new Date(key), up: 0, down: 0, latencySum: 0, latencyCount: 0, latencyMax: null };
    b.up += r.up;
    b.down += r.down;
    b.latencySum += r.latencySum;
    b.latencyCount += r.latencyCount;
    if (r.latencyMax !== null) b.latencyMax = Math.max(b.latencyMax ?? 0, r.latencyMax);
    out.set(key, b);
  }
  return [...out.values()].sort((a, b) => a.bucket.getTime() - b.bucket.getTime());
}

export interface DayCell {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  pct: number | null;
  probes: number;
  down: number;
}

/** One cell per UTC day for the last `days` days, oldest first; a day without probes has pct null. */
export function dayCells(dayRows: Bucket[], now: Date, days = 90): DayCell[] {
  const byDay = new Map(dayRows.map((r) => [bucketStart(r.bucket, "day"), r]));
  const today = bucketStart(now, "day");
  return Array.from({ length: days }, (_, i) => {
    const start = today - (days - 1 - i) * DAY_MS;
    const r = byDay.get(start);
    const probes = r ? r.up + r.down : 0;
    return { day: new Date(start).toISOString().slice(0, 10), pct: probes ? round((r!.up / probes) * 100, 3) : null, probes, down: r?.down ?? 0 };
  });
}

export interface LatencyPoint {
  t: string;
  avgMs: number | null;
  maxMs: number | null;
  down: number;
}

/** Average and worst latency per step over [from, to), oldest first; steps without an up probe are null (a gap). */
export function latencySeries(rows: Bucket[], from: number, to: number, stepMs: number): LatencyPoint[] {
  const n = Math.max(0, Math.ceil((to - from) / stepMs));
  const acc = Array.from({ length: n }, () => ({ sum: 0, count: 0, max: null as number | null, down: 0 }));
  for (const r of rows) {
    const i = Math.floor((r.bucket.getTime() - from) / stepMs);
    if (i < 0 || i >= n) continue;
    const a = acc[i]!;
    a.sum += r.latencySum;
    a.count += r.latencyCount;
    a.down += r.down;
    if (r.latencyMax !== null) a.max = Math.max(a.max ?? 0, r.latencyMax);
  }
  return acc.map((a, i) => ({
    t: new Date(from + i * stepMs).toISOString(),
    avgMs: a.count ? round(a.sum / a.count, 1) : null,
    maxMs: a.max === null ? null : round(a.max, 1),
    down: a.down,
  }));
}
