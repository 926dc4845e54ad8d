import { createHash } from "node:crypto";
import { CronExpressionParser } from "cron-parser";

/**
 * Cron arithmetic for the jobs layer, in UTC. Five fields are the deploy schedules (what Vercel Cron
 * and every scheduler understand); a sixth, leading seconds field is accepted for short test schedules.
 */
export function assertSchedule(expr: string): void {
  CronExpressionParser.parse(expr, { tz: "UTC" });
}

/** The first tick strictly after `after`. */
export function nextTick(expr: string, after: Date): Date {
  return CronExpressionParser.parse(expr, { currentDate: after, tz: "UTC" }).next().toDate();
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

/** The longest gap between two consecutive ticks over the next week (a nightly job: a day). */
export function intervalSeconds(expr: string, from = new Date()): number {
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
