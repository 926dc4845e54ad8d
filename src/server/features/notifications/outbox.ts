import { randomUUID } from "node:crypto";
import type { Db, Tx } from "@/server/adapters/db";
import { DEFAULT_SEVERITY, eventSchemas, type NotificationEvent } from "./events";

/**
 * Writes a notification event into the outbox through the caller's transaction: it is delivered
 * if and only if the change that caused it commits. Returns the event id, or null when an event
 * with the same dedupe key was already enqueued.
 */
export async function enqueueNotification(tx: Tx | Db, event: NotificationEvent): Promise<string | null> {
  const data = eventSchemas[event.type].parse(event.data);
  const id = randomUUID();
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO "notification_outbox" ("id", "type", "severity", "payload", "dedupe_key") VALUES ($1::uuid, $2, $3, $4::jsonb, $5)
     ON CONFLICT ("dedupe_key") DO NOTHING RETURNING "id"`,
    id,
    event.type,
    event.severity ?? DEFAULT_SEVERITY[event.type],
    JSON.stringify(data),
    event.dedupeKey ?? null,
  );
  return rows[0]?.id ?? null;
}
