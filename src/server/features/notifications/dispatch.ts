import { hash } from "node:crypto";
import type { Db, Tx } from "@/server/adapters/db";
import type { ChannelName, Severity } from "@/server/adapters/notify";
import { targetsFor, type Route } from "./routing";

/**
 * The first half of the drain: events not yet routed become deliveries (event × channel ×
 * recipient), in one transaction with marking the events routed, so a crash in between loses or
 * doubles nothing. Events are claimed with SKIP LOCKED: concurrent drains take different ones.
 */
interface EventRow {
  id: string;
  type: string;
  severity: Severity;
  payload: Record<string, unknown>;
}

interface Person {
  id: string;
  email: string;
  role: string;
}

export function idempotencyKeyOf(eventId: string, channel: ChannelName, recipient: string): string {
  return recipient ? `${eventId}.${channel}.${hash("sha256", recipient.toLowerCase(), "hex").slice(0, 16)}` : `${eventId}.${channel}`;
}

/** The users answerable for a client (its owner, whoever created it): the four-eyes rule bars them from approving its intents. */
export type ClientOwners = Map<string, { ownerUserId: string | null; createdBy: string }>;

/** Email addresses for a route's recipients: approvers of this intent (never its requester nor the requesting client's owner or creator), a role's users, or literal addresses. */
export function emailsFor(specs: string[], event: EventRow, people: Person[], clientOwners: ClientOwners): string[] {
  const out = new Set<string>();
  for (const spec of specs) {
    if (spec === "approvers") {
      const roles = (event.payload.approverRoles as string[] | undefined) ?? [];
      const requester = event.payload.requesterUserId as string | null | undefined;
      const clientId = event.payload.clientId as string | null | undefined;
      const client = clientId ? clientOwners.get(clientId) : undefined;
      const barred = (id: string) => id === requester || id === client?.ownerUserId || `user:${id}` === client?.createdBy;
      for (const p of people) if (roles.includes(p.role) && !barred(p.id)) out.add(p.email);
    } else if (spec.startsWith("role:")) {
      for (const p of people) if (p.role === spec.slice(5)) out.add(p.email);
    } else if (spec.includes("@")) {
      out.add(spec);
    }
  }
  return [...out].sort();
}

export async function loadRoutes(db: Db | Tx): Promise<Route[]> {
  const rows = await db.notificationRoute.findMany({ orderBy: [{ eventType: "asc" }, { channel: "asc" }, { id: "asc" }] });
  return rows.map((r) => ({ ...r, channel: r.channel as ChannelName, minSeverity: r.minSeverity as Severity }));
}

export async function routeEvents(db: Db, configured: ReadonlySet<ChannelName>, batch = 500): Promise<{ events: number; deliveries: number }> {
  return db.$transaction(async (tx) => {
    const events = await tx.$queryRawUnsafe<(EventRow & { now: Date })[]>(
      `SELECT "id", "type", "severity", "payload", now() AS "now" FROM "notification_outbox" WHERE "routed_at" IS NULL ORDER BY "created_at", "id" LIMIT $1 FOR UPDATE SKIP LOCKED`,
      batch,
    );
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const routes = await loadRoutes(tx);
    const now = new Date(events[0]!.now);
    const needsPeople = routes.some((r) => r.channel === "email" && r.recipients.length > 0);
    const people = needsPeople ? await tx.user.findMany({ where: { disabledAt: null }, select: { id: true, email: true, role: true } }) : [];
    const clientIds = [...new Set(events.map((e) => e.payload.clientId).filter((c): c is string => typeof c === "string"))];
    const owners: ClientOwners = new Map(
      clientIds.length ? (await tx.apiClient.findMany({ where: { id: { in: clientIds } }, select: { id: true, ownerUserId: true, createdBy: true } })).map((c) => [c.id, c]) : [],
    );
    const rows: { event_id: string; channel: string; recipient: string; idempotency_key: string; next_attempt_at: string }[] = [];
    for (const event of events) {
      for (const target of targetsFor(routes, event, configured, now)) {
        const recipients = target.channel === "email" ? emailsFor(target.recipients, event, people, owners) : [""];
        for (const recipient of recipients) {
          rows.push({
            event_id: event.id,
            channel: target.channel,
            recipient,
            idempotency_key: idempotencyKeyOf(event.id, target.channel, recipient),
            next_attempt_at: (target.notBefore ?? now).toISOString(),
          });
        }
      }
    }
    // Two routes reaching the same channel and recipient share one idempotency key: one delivery.
    const inserted = rows.length
      ? await tx.$executeRawUnsafe(
          `INSERT INTO "notification_delivery" ("event_id", "channel", "recipient", "idempotency_key", "status", "next_attempt_at")
           SELECT x.event_id, x.channel, x.recipient, x.idempotency_key, 'pending', x.next_attempt_at
             FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, channel text, recipient text, idempotency_key text, next_attempt_at timestamptz)
           ON CONFLICT ("idempotency_key") DO NOTHING`,
          JSON.stringify(rows),
        )
      : 0;
    await tx.$executeRawUnsafe(
      `UPDATE "notification_outbox" SET "routed_at" = now() WHERE "id" = ANY($1::uuid[])`,
      events.map((e) => e.id),
    );
    return { events: events.length, deliveries: inserted };
  });
}
