import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { notifyDeps, startReceiver, type Receiver } from "../../../../tests/support/notify";
import type { Deps } from "@/server/deps";
import { drainOutbox, type DrainOptions } from "./drain";
import { enqueueNotification } from "./outbox";

/** Delivery against the real Postgres: retries, Retry-After, dead letters, channels independent of each other. */
let deps: Deps;
let drop: () => Promise<void>;
let http: Receiver;
const FAST: Partial<DrainOptions> = { budgetMs: 5_000, backoff: { baseMs: 20, maxMs: 100 } };

beforeAll(async () => {
  http = await startReceiver();
  ({ deps, drop } = await notifyDeps({ SLACK_WEBHOOK_URL: `${http.url}/slack/hook`, NOTIFY_WEBHOOK_URL: `${http.url}/hook`, NOTIFY_WEBHOOK_SECRET: "s3cret-value" }));
});
afterAll(async () => {
  await drop();
  await http.close();
});
beforeEach(async () => {
  http.received.length = 0;
  http.respond = () => ({ status: 200 });
  await deps.db.notificationOutbox.deleteMany({});
});

const lateJob = (job: string) => enqueueNotification(deps.db, { type: "job.late", data: { job, expectedAt: new Date().toISOString(), lateBySeconds: 300, lastRunAt: null } });
const hookCalls = () => http.received.filter((r) => r.path === "/hook");
const keyOf = (r: { headers: Record<string, unknown> }) => r.headers["idempotency-key"] as string;

async function drainUntilSettled(options: Partial<DrainOptions>, rounds = 50) {
  for (let i = 0; i < rounds; i++) {
    await drainOutbox(deps, options);
    const open = await deps.db.notificationDelivery.count({ where: { status: "pending" } });
    if (open === 0) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error("deliveries still pending");
}

describe("delivery", () => {
  it("a receiver answering 500 twice then 200 gets exactly one accepted delivery per event", async () => {
    const seen = new Map<string, number>();
    const accepted = new Map<string, number>();
    http.respond = (r) => {
      const n = (seen.get(keyOf(r)) ?? 0) + 1;
      seen.set(keyOf(r), n);
      if (n > 2) accepted.set(keyOf(r), (accepted.get(keyOf(r)) ?? 0) + 1);
      return { status: n <= 2 ? 500 : 200 };
    };
    const ids = await Promise.all(["a", "b", "c", "d", "e"].map(lateJob));
    await drainUntilSettled(FAST);
    // every event reached the webhook, three tries each with the same key, the third accepted and nothing after it
    expect(new Set(hookCalls().map((r) => (JSON.parse(r.body) as { id: string }).id))).toEqual(new Set(ids));
    expect(hookCalls()).toHaveLength(15);
    expect(accepted.size).toBe(10); // 5 events × (webhook + slack)
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    const rows = await deps.db.notificationDelivery.findMany({ where: { channel: "webhook" } });
    expect(rows.map((r) => [r.status, r.attempts, r.lastError])).toEqual(Array(5).fill(["sent", 3, null]));
  });

  it("429 with Retry-After: 2 is retried no sooner than 2 s after the attempt", async () => {
    let first = true;
    http.respond = (r) => {
      if (r.path !== "/hook" || !first) return { status: 200 };
      first = false;
      return { status: 429, headers: { "retry-after": "2" } };
    };
    await lateJob("rate-limited");
    await drainOutbox(deps, FAST);
    const waiting = await deps.db.notificationDelivery.findFirstOrThrow({ where: { channel: "webhook" } });
    expect(waiting).toMatchObject({ status: "pending", attempts: 1, lastStatus: 429 });
    expect(waiting.nextAttemptAt.getTime() - waiting.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(2_000);
    // not due yet: a drain now sends nothing
    await drainOutbox(deps, FAST);
    expect(hookCalls()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, Math.max(0, waiting.nextAttemptAt.getTime() - Date.now()) + 100));
    await drainOutbox(deps, FAST);
    const done = await deps.db.notificationDelivery.findFirstOrThrow({ where: { channel: "webhook" } });
    expect(done).toMatchObject({ status: "sent", attempts: 2 });
    expect(hookCalls()).toHaveLength(2);
    expect(done.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(waiting.nextAttemptAt.getTime());
  });

  it("a slow, failing channel does not hold up the others", async () => {
    http.respond = async (r) => {
      if (r.path !== "/slack/hook") return { status: 200 };
      await new Promise((res) => setTimeout(res, 1_500));
      return { status: 503 };
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => lateJob(`job-${i}`)));
    const summary = await drainOutbox(deps, FAST);
    expect(summary.channels.webhook).toMatchObject({ sent: 20 });
    expect(summary.channels.slack?.sent).toBe(0);
    const slackFirst = Math.min(...http.received.filter((r) => r.path === "/slack/hook").map((r) => r.at));
    // every webhook delivery arrived while Slack's first answer was still outstanding
    expect(Math.max(...hookCalls().map((r) => r.at))).toBeLessThan(slackFirst + 1_500);
    expect(await deps.db.notificationDelivery.count({ where: { channel: "slack", status: "pending" } })).toBe(20);
  });

  it("after the last try a delivery is a dead letter; a 4xx other than 408/429 is one at once", async () => {
    http.respond = (r) => ({ status: r.path === "/hook" ? 502 : 400 });
    await lateJob("doomed");
    for (let i = 0; i < 4; i++) {
      await drainOutbox(deps, { ...FAST, maxAttempts: 3 });
      await new Promise((r) => setTimeout(r, 150));
    }
    const rows = await deps.db.notificationDelivery.findMany({ orderBy: { channel: "asc" } });
    expect(rows.map((r) => [r.channel, r.status, r.attempts, r.lastStatus])).toEqual([
      ["slack", "dead", 1, 400],
      ["webhook", "dead", 3, 502],
    ]);
    expect(hookCalls()).toHaveLength(3);
  });

  it("an event raised with a dedupe key twice is told once", async () => {
    const data = { firstBadSeq: 7, reason: "row altered", checked: 6 };
    const first = await enqueueNotification(deps.db, { type: "audit.chain_failed", data, dedupeKey: "chain:7" });
    const second = await enqueueNotification(deps.db, { type: "audit.chain_failed", data, dedupeKey: "chain:7" });
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    await drainOutbox(deps, FAST);
    expect(hookCalls()).toHaveLength(1);
    expect(JSON.parse(hookCalls()[0]!.body)).toMatchObject({ type: "audit.chain_failed", severity: "critical", link: "http://dash.test/audit?event=7" });
  });
});
