import { z } from "zod";
import type { Severity } from "@/server/adapters/notify";

/**
 * Every notification event, its payload and its default severity. Features raise them with
 * `enqueueNotification(tx, event)` inside the transaction of the change that caused them.
 */
const iso = z.string().datetime({ offset: true });

export const eventSchemas = {
  "intent.approval_requested": z.object({
    intentId: z.uuid(),
    action: z.string(),
    summary: z.string(),
    reason: z.string(),
    requester: z.string(),
    approverRoles: z.array(z.string()),
    requesterUserId: z.string().nullable(),
    clientId: z.string().nullable(),
    expiresAt: iso.nullable(),
  }),
  "intent.executed": z.object({ intentId: z.uuid(), action: z.string(), summary: z.string(), dryRun: z.boolean(), result: z.string() }),
  "intent.failed": z.object({ intentId: z.uuid(), action: z.string(), summary: z.string(), dryRun: z.boolean(), error: z.string() }),
  "connection.down": z.object({ connectionId: z.string(), kind: z.string(), error: z.string().nullable(), failedProbes: z.number().int(), windowMinutes: z.number().int() }),
  "connection.recovered": z.object({ connectionId: z.string(), kind: z.string(), downSince: iso.nullable(), goodProbes: z.number().int() }),
  "job.late": z.object({ job: z.string(), expectedAt: iso, lateBySeconds: z.number().int(), lastRunAt: iso.nullable() }),
  "suggestion.critical": z.object({ suggestionId: z.string(), title: z.string(), summary: z.string() }),
  "digest.daily": z.object({ date: z.string(), headline: z.string(), items: z.array(z.object({ title: z.string(), severity: z.string().optional(), detail: z.string().optional() })).max(50) }),
  "audit.chain_failed": z.object({ firstBadSeq: z.number().int().nullable(), reason: z.string(), checked: z.number().int() }),
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];

export const DEFAULT_SEVERITY: Record<EventType, Severity> = {
  "intent.approval_requested": "warning",
  "intent.executed": "info",
  "intent.failed": "warning",
  "connection.down": "critical",
  "connection.recovered": "info",
  "job.late": "warning",
  "suggestion.critical": "critical",
  "digest.daily": "info",
  "audit.chain_failed": "critical",
};

/** An event to enqueue: its type and payload; optionally a severity of its own and a key making it once-only. */
export type NotificationEvent = {
  [T in EventType]: { type: T; data: z.infer<(typeof eventSchemas)[T]>; severity?: Severity; dedupeKey?: string };
}[EventType];

export type EventOf<T extends EventType> = Extract<NotificationEvent, { type: T }>;

export function isEventType(s: string): s is EventType {
  return s in eventSchemas;
}
