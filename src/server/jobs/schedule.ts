import { hash } from "node:crypto";
import { CronExpressionParser } from "cron-parser";

/**
 * Cron arithmetic for the jobs layer, in UTC. Five fields are the deploy schedules (what Vercel Cron
 * and every scheduler understand); a sixth, leading seconds field is accepted for short test schedules.
 */
export function assertSchedule(expr: string): void {
  CronExpressionParser.parse(expr, { tz: "UTC" });
}

/**
 * Cron arithmetic is slow (a week of a minutely expression is some 30 ms of CPU) and the job monitor
 * asks it for every job on every read of /ai/jobs and /ai/status; so each expression's last answer is
 * kept with the span of instants it holds for, which makes the reuse exact, not an approximation.
 */
const MEMO_MAX = 256;
const nextMemo = new Map<string, { from: number; tick: number }>();
const intervalMemo = new Map<string, { from: number; until: number; seconds: number }>();

function remember<V>(memo: Map<string, V>, expr: string, value: V) {
  if (memo.size >= MEMO_MAX && !memo.has(expr)) memo.clear();
  memo.set(expr, value);
}

/** The first tick strictly after `after`. */
export function nextTick(expr: string, after: Date): Date {
  const t = after.getTime();
  // no tick lies in (from, tick): for any instant in [from, tick) the next one is the same tick
  const hit = nextMemo.get(expr);
  if (hit && hit.from <= t && t < hit.tick) return new Date(hit.tick);
  const tick = CronExpressionParser.parse(expr, { currentDate: after, tz: "UTC" }).next().toDate();
  remember(nextMemo, expr, { from: t, tick: tick.getTime() });
  return tick;
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

/** The longest gap between two consecutive ticks over a week from the next tick (a nightly job: a day). */
export function intervalSeconds(expr: string, from = new Date()): number {
  const t = from.getTime();
  // the answer depends on the next tick only: the same for every instant before it
  const hit = intervalMemo.get(expr);
  if (hit && hit.from <= t && t < hit.until) return hit.seconds;
  const it = CronExpressionParser.parse(expr, { currentDate: from, tz: "UTC" });
  const first = it.next().getTime();
  let prev = first;
  let longest = 0;
  for (let i = 0; i < 200; i++) {
    const next = it.next().getTime();
    longest = Math.max(longest, next - prev);
    prev = next;
    if (next - first > 7 * 86_400_000) break;
  }
  const seconds = Math.round(longest / 1000);
  remember(intervalMemo, expr, { from: t, until: first, seconds });
  return seconds;
}

/**
 * The queue id of one tick of one job: the same on every instance, so however many instances send
 * the tick, the queue's primary key keeps the first and the run happens once.
 */
export function tickJobId(job: string, tick: Date): string {
  const h = hash("sha256", `${job}@${tick.toISOString()}`, "hex");
  // shaped as a UUID (version 8, "custom"), which is what the queue's id column holds
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
