import { createHash } from "node:crypto";
import { CronExpressionParser } from "cron-parser";

/**
 * Cron arithmetic for the jobs layer, in UTC. Five fields are the deploy schedules (what Vercel Cron
 * and every scheduler understand); a sixth, leading seconds field is accepted for short test schedules.
 */
export function assertSchedule(expr: string): void {
  CronExpressionParser.parse(expr, { tz: "UTC" });
}

/**
 * Answers remembered per schedule: the status of every job is asked on each status read, and the cron
 * library finds a tick by stepping through the minutes between (a daily job: up to 1,440 steps per tick).
 * Pure arithmetic, so every instance remembers the same answers; bounded by clearing when full.
 */
const MEMO_LIMIT = 500;
const nextTicks = new Map<string, { from: number; next: number }>();
const intervals = new Map<string, number>();
function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/** The first tick strictly after `after`. */
export function nextTick(expr: string, after: Date): Date {
  const t = after.getTime();
  const known = nextTicks.get(expr);
  // no tick lies in (known.from, known.next), so the first one after any moment in between is known.next
  if (known && known.from <= t && t < known.next) return new Date(known.next);
  const next = CronExpressionParser.parse(expr, { currentDate: after, tz: "UTC" }).next().getTime();
  return new Date(remember(nextTicks, expr, { from: t, next }).next);
}

/** The latest tick at or before `at`. */
export function lastTick(expr: string, at: Date): Date {
  const probe = new Date(at.getTime() + 1);
  return CronExpressionParser.parse(expr, { currentDate: probe, tz: "UTC" }).prev().toDate();
}

/** The ticks in (from, to], oldest first, at most `limit` of them. */
export function ticksBetween(expr: string, from: Date, to: Date, limit = 100): Date[] {
  const it = CronExpressionParser.parse(expr, { currentDate: from, endDate: to, tz: "UTC" });
  const out: Date[] = [];
  while (out.length < limit && it.hasNext()) out.push(it.next().toDate());
  return out;
}

const HOUR_MS = 3_600_000;

/** The longest gap between two consecutive ticks over the week from the start of `from`'s hour (a nightly job: a day). */
export function intervalSeconds(expr: string, from = new Date()): number {
  const hour = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  return intervals.get(`${expr}@${hour}`) ?? remember(intervals, `${expr}@${hour}`, longestGapSeconds(expr, new Date(hour)));
}

function longestGapSeconds(expr: string, from: Date): number {
  const it = CronExpressionParser.parse(expr, { currentDate: from, tz: "UTC" });
  let prev = it.next().getTime();
  let longest = 0;
  for (let i = 0; i < 200; i++) {
    const t = it.next().getTime();
    longest = Math.max(longest, t - prev);
    prev = t;
    if (t - from.getTime() > 7 * 86_400_000) break;
  }
  return Math.round(longest / 1000);
}

/**
 * The queue id of one tick of one job: the same on every instance, so however many instances send
 * the tick, the queue's primary key keeps the first and the run happens once.
 */
export function tickJobId(job: string, tick: Date): string {
  const h = createHash("sha256").update(`${job}@${tick.toISOString()}`).digest("hex");
  // shaped as a UUID (version 8, "custom"), which is what the queue's id column holds
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
