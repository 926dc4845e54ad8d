import type { Db } from "@/server/adapters/db";
import { mapConcurrent } from "@/server/core/concurrency";
import { DeliveryError, scrubSecrets, type ChannelName, type NotifyChannel } from "@/server/adapters/notify";
import { retryDelayMs, type BackoffPolicy } from "./backoff";
import { notificationOf } from "./render";

/**
 * The second half of the drain: due deliveries of one channel are leased (SKIP LOCKED, leased_until),
 * sent, and their outcome recorded. A process that dies mid-send leaves its lease to expire and the
 * delivery is sent again: at least once, with the same idempotency key so the receiver can drop it.
 */
export interface ChannelDrainOptions {
  leaseMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  concurrency: number;
  deadline: number;
  signal: AbortSignal;
  baseUrl: string;
  secrets: string[];
}

interface Claimed {
  id: bigint;
  recipient: string;
  idempotency_key: string;
  attempts: number;
  event_id: string;
  type: string;
  severity: string;
  payload: unknown;
  created_at: Date;
}

type Outcome = { id: string; status: "sent" | "pending" | "dead"; delay_ms: number | null; last_status: number | null; last_error: string | null };

export interface ChannelDrainSummary {
  sent: number;
  retried: number;
  dead: number;
}

async function claim(db: Db, channel: ChannelName, limit: number, o: ChannelDrainOptions): Promise<Claimed[]> {
  return db.$queryRawUnsafe<Claimed[]>(
    `WITH due AS (
       SELECT "id" FROM "notification_delivery"
        WHERE "channel" = $1 AND "status" = 'pending' AND "next_attempt_at" <= now() AND "attempts" < $4
          AND ("leased_until" IS NULL OR "leased_until" <= now())
        ORDER BY "next_attempt_at", "id" LIMIT $2 FOR UPDATE SKIP LOCKED)
     UPDATE "notification_delivery" AS d
        SET "leased_until" = now() + make_interval(secs => $3), "attempts" = d."attempts" + 1, "last_attempt_at" = now()
       FROM due, "notification_outbox" AS o
      WHERE d."id" = due."id" AND o."id" = d."event_id"
     RETURNING d."id", d."recipient", d."idempotency_key", d."attempts", o."id" AS "event_id", o."type", o."severity", o."payload", o."created_at"`,
    channel,
    limit,
    o.leaseMs / 1000,
    o.maxAttempts,
  );
}

/** Outcomes in one statement; the next try is counted from the attempt's own database time. */
async function record(db: Db, outcomes: Outcome[]): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE "notification_delivery" AS d
        SET "status" = x.status, "leased_until" = NULL, "last_status" = x.last_status, "last_error" = x.last_error,
            "sent_at" = CASE WHEN x.status = 'sent' THEN now() ELSE d."sent_at" END,
            "next_attempt_at" = CASE WHEN x.delay_ms IS NULL THEN d."next_attempt_at" ELSE d."last_attempt_at" + make_interval(secs => x.delay_ms / 1000.0) END
       FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, status text, delay_ms float8, last_status int, last_error text)
      WHERE d."id" = x.id AND d."status" = 'pending'`,
    JSON.stringify(outcomes),
  );
}

/** Pending deliveries whose tries ran out while leased (a process died sending them, again and again) become dead letters. */
export async function buryExhausted(db: Db, maxAttempts: number): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE "notification_delivery" SET "status" = 'dead', "leased_until" = NULL, "last_error" = COALESCE("last_error", 'the sending process stopped before an answer')
      WHERE "status" = 'pending' AND "attempts" >= $1 AND ("leased_until" IS NULL OR "leased_until" <= now())`,
    maxAttempts,
  );
}

async function sendOne(channel: NotifyChannel, row: Claimed, o: ChannelDrainOptions): Promise<Outcome> {
  const id = row.id.toString();
  try {
    await channel.send(
      notificationOf({ id: row.event_id, type: row.type, severity: row.severity, payload: row.payload, createdAt: row.created_at }, row.idempotency_key, o.baseUrl),
      row.recipient,
      o.signal,
    );
    return { id, status: "sent", delay_ms: null, last_status: null, last_error: null };
  } catch (err) {
    const e = err instanceof DeliveryError ? err : new DeliveryError(`could not render or send: ${(err as Error).message}`, false);
    const message = scrubSecrets(e.message, o.secrets);
    const final = !e.retryable || row.attempts >= o.maxAttempts;
    if (final) console.warn(`[notify] ${channel.name} delivery ${row.idempotency_key} is a dead letter after ${row.attempts} tries: ${message}`);
    return { id, status: final ? "dead" : "pending", delay_ms: final ? null : retryDelayMs(row.attempts, e.retryAfterMs, o.backoff), last_status: e.status, last_error: message };
  }
}

/**
 * Writes outcomes soon after their sends finish, grouped: a write every RECORD_EVERY outcomes or
 * RECORD_AFTER_MS, whichever comes first. A kill then repeats only what was in flight or in the last
 * group, not a whole batch, and a busy drain does not pay one statement per delivery.
 */
const RECORD_EVERY = 16;
const RECORD_AFTER_MS = 25;

function outcomeRecorder(db: Db) {
  let queued: Outcome[] = [];
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queued;
    queued = [];
    if (batch.length) writing = writing.then(() => record(db, batch));
    return writing;
  };
  return {
    add(o: Outcome) {
      queued.push(o);
      // a failed write is reported by done(), which the drain awaits; these early calls only start it
      if (queued.length >= RECORD_EVERY) flush().catch(() => {});
      else timer ??= setTimeout(() => flush().catch(() => {}), RECORD_AFTER_MS);
    },
    done: () => flush(),
  };
}

/**
 * One channel's due deliveries, batch after batch, until none is due, no new event arrived, or the time is up. A batch that
 * failed entirely on retryable errors means the receiver is down: the channel stops for this run
 * (its deliveries wait out their backoff) while the other channels, drained beside it, go on.
 */
export async function drainChannel(db: Db, channel: NotifyChannel, o: ChannelDrainOptions, routeMore: () => Promise<number>): Promise<ChannelDrainSummary> {
  const summary: ChannelDrainSummary = { sent: 0, retried: 0, dead: 0 };
  while (Date.now() < o.deadline && !o.signal.aborted) {
    const batch = await claim(db, channel.name, o.concurrency * 4, o);
    if (batch.length === 0) {
      // out of work: route what arrived meanwhile (for every channel) and go on while there was some
      if ((await routeMore()) === 0) break;
      continue;
    }
    const recorder = outcomeRecorder(db);
    const outcomes = await mapConcurrent(batch, o.concurrency, async (row) => {
      const out = await sendOne(channel, row, o);
      recorder.add(out);
      return out;
    });
    await recorder.done();
    for (const out of outcomes) summary[out.status === "sent" ? "sent" : out.status === "dead" ? "dead" : "retried"]++;
    if (outcomes.every((out) => out.status === "pending")) break;
  }
  return summary;
}
