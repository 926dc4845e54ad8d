import { randomUUID } from "node:crypto";
import { CHANNELS, DeliveryError, notifySecrets, scrubSecrets, type ChannelName, type Notification } from "@/server/adapters/notify";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import { dashboardUrl } from "./drain";
import { loadRoutes } from "./dispatch";
import { EVENT_TYPES } from "./events";
import type { RouteInput } from "./schema";

/** What admins do on the Notifications page: see channels and routes, edit routes, send a test, retry dead letters. */
export async function notificationsOverview(deps: Deps) {
  const [routes, [counts]] = await Promise.all([
    deps.db.notificationRoute.findMany({ orderBy: [{ eventType: "asc" }, { channel: "asc" }, { id: "asc" }] }),
    deps.db.$queryRawUnsafe<{ pending: number; dead: number; sent: number }[]>(
      `SELECT count(*) FILTER (WHERE "status" = 'pending')::int AS "pending", count(*) FILTER (WHERE "status" = 'dead')::int AS "dead",
              count(*) FILTER (WHERE "status" = 'sent' AND "sent_at" > now() - interval '1 day')::int AS "sent"
         FROM "notification_delivery"`,
    ),
  ]);
  return {
    channels: CHANNELS.map((name) => ({ name, configured: Boolean(deps.notify[name]), target: deps.notify[name]?.target ?? null })),
    routes: routes.map((r) => ({ ...r, channel: r.channel as ChannelName, minSeverity: r.minSeverity as "info", updatedAt: r.updatedAt.toISOString() })),
    eventTypes: ["*", ...EVENT_TYPES],
    counts: { pending: counts?.pending ?? 0, dead: counts?.dead ?? 0, sentLastDay: counts?.sent ?? 0 },
  };
}

/** The whole routing table replaced in one audited transaction (the page edits it as one table). */
export async function replaceRoutes(deps: Deps, call: CallContext, routes: RouteInput[]) {
  const by = `${call.actor.type}:${call.actor.id}`;
  await deps.audit.transact(async (tx, log) => {
    const before = await loadRoutes(tx);
    await tx.notificationRoute.deleteMany({});
    await tx.notificationRoute.createMany({ data: routes.map((r) => ({ id: randomUUID(), ...r, updatedBy: by })) });
    const line = (r: { eventType: string; channel: string; recipients: string[]; minSeverity: string; enabled: boolean; quietStart: string | null; quietEnd: string | null }) =>
      `${r.enabled ? "" : "(off) "}${r.eventType} → ${r.channel}${r.recipients.length ? ` [${r.recipients.join(", ")}]` : ""} ≥${r.minSeverity}${r.quietStart ? ` quiet ${r.quietStart}–${r.quietEnd}` : ""}`;
    await log(eventFor(call, { action: "notifications.routes.replace", resourceType: "notification", target: "routes", detail: { before: before.map(line), after: routes.map(line) } }));
  });
  return notificationsOverview(deps);
}

/** Sends a test message straight through a channel (not the outbox) and says how it went; email goes to the admin asking. */
export async function sendTest(deps: Deps, call: CallContext, channelName: ChannelName) {
  const channel = deps.notify[channelName];
  if (!channel) throw new AppError("BAD_REQUEST", `The ${channelName} channel is not configured.`);
  const recipient = channelName === "email" ? (call.actor.type === "user" ? call.actor.email : null) : "";
  if (recipient === null) throw new AppError("BAD_REQUEST", "A test email goes to the signed-in admin; API keys have no address.");
  const id = randomUUID();
  const n: Notification = {
    eventId: id,
    type: "test",
    severity: "info",
    occurredAt: new Date().toISOString(),
    title: "Test notification from Ops Orchestrator",
    lines: [`Sent by ${call.actor.type === "user" ? call.actor.email : call.actor.id} from the Notifications page: this channel works.`],
    link: { label: "Open notifications", url: new URL("/notifications", dashboardUrl(deps.env)).toString() },
    data: { test: true },
    idempotencyKey: `test.${id}.${channelName}`,
  };
  let error: string | null = null;
  try {
    await channel.send(n, recipient, AbortSignal.timeout(15_000));
  } catch (err) {
    error = scrubSecrets(err instanceof DeliveryError ? err.message : `could not send: ${(err as Error).message}`, notifySecrets(deps.env));
  }
  await deps.audit.record(
    eventFor(call, {
      action: "notifications.test",
      resourceType: "notification",
      target: channelName,
      outcome: error ? "failure" : "success",
      status: error ? 502 : 200,
      detail: { target: channel.target, recipient: recipient || null, error },
    }),
  );
  return { ok: error === null, target: channel.target, recipient: recipient || null, error };
}

export async function listDeadLetters(deps: Deps, q: { limit: number; cursor?: string }) {
  const rows = await deps.db.notificationDelivery.findMany({
    where: { status: "dead", ...(q.cursor ? { id: { lt: BigInt(q.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: q.limit + 1,
    include: { event: { select: { type: true } } },
  });
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      id: r.id.toString(),
      eventId: r.eventId,
      eventType: r.event.type,
      channel: r.channel,
      recipient: r.recipient,
      attempts: r.attempts,
      lastStatus: r.lastStatus,
      lastError: r.lastError,
      lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > q.limit ? page.at(-1)!.id.toString() : null,
  };
}

/** A dead letter back in the queue with fresh tries, due now; audited. */
export async function retryDeadLetter(deps: Deps, call: CallContext, id: string) {
  return deps.audit.transact(async (tx, log) => {
    const n = await tx.$executeRawUnsafe(
      `UPDATE "notification_delivery" SET "status" = 'pending', "attempts" = 0, "next_attempt_at" = now(), "leased_until" = NULL WHERE "id" = $1::bigint AND "status" = 'dead'`,
      id,
    );
    if (n === 0) throw new AppError("NOT_FOUND", `No dead letter ${id}.`);
    await log(eventFor(call, { action: "notifications.retry", resourceType: "notification", target: `delivery:${id}` }));
    return { id, status: "pending" as const };
  });
}
