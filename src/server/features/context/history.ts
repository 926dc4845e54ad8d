import type { Db } from "@/server/adapters/db";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { AuditEvent } from "@/generated/prisma/client";
import type { HistoryItem } from "./schema";
import { SCOPES_INDEX, scopeIndex } from "./store";
import { targetOf } from "./service";

/**
 * A key's history is read from the audit log (context.put / context.delete events with target
 * "<scope>/<key>"): one durable, tamper-evident record, which outlives the entry itself.
 */
const ACTIONS = ["context.put", "context.delete"];
const MAX_SCOPES = 200;

interface Detail {
  scope?: string;
  key?: string;
  version?: number | null;
  previousVersion?: number | null;
  conflict?: boolean;
  conflictWith?: HistoryItem["conflictWith"];
  value?: unknown;
  preview?: string;
  truncated?: boolean;
}

function itemOf(row: AuditEvent): HistoryItem & { detail: Detail } {
  const d = (row.detail ?? {}) as Detail;
  return {
    operation: row.action === "context.delete" ? "delete" : "put",
    at: row.at.toISOString(),
    actor: { type: row.actorType, id: row.actorId, clientId: row.clientId },
    version: d.version ?? null,
    previousVersion: d.previousVersion ?? null,
    conflict: d.conflict === true,
    conflictWith: d.conflictWith ?? null,
    value: d.truncated ? null : (d.value ?? null),
    preview: d.preview ?? null,
    truncated: d.truncated === true,
    requestId: row.requestId,
    auditSeq: Number(row.seq),
    detail: d,
  };
}

/** The last `limit` writes of a key, newest first. */
export async function keyHistory(db: Db, input: { scope: string; key: string; limit: number }): Promise<{ items: HistoryItem[] }> {
  const rows = await db.auditEvent.findMany({
    where: { target: targetOf(input.scope, input.key), action: { in: ACTIONS } },
    orderBy: { seq: "desc" },
    take: input.limit,
  });
  return { items: rows.map((r) => withoutDetail(itemOf(r))) };
}

/** Entry counts per live scope, and the last five writes across scopes (the Status page's card). */
export async function contextSummary(deps: { db: Db; kv: KeyValueStore }) {
  const [scopes, rows] = await Promise.all([
    deps.kv.indexRange(SCOPES_INDEX, { limit: MAX_SCOPES }),
    deps.db.auditEvent.findMany({ where: { action: { in: ACTIONS }, target: { not: null } }, orderBy: { seq: "desc" }, take: 5 }),
  ]);
  const counts = await Promise.all(scopes.map((s) => deps.kv.indexCount(scopeIndex(s))));
  return {
    scopes: scopes.map((scope, i) => ({ scope, entries: counts[i]! })).filter((s) => s.entries > 0),
    lastWrites: rows.map((r) => {
      const item = itemOf(r);
      return { ...withoutDetail(item), scope: item.detail.scope ?? "", key: item.detail.key ?? "" };
    }),
  };
}

function withoutDetail(item: HistoryItem & { detail: Detail }): HistoryItem {
  const { detail: _detail, ...rest } = item;
  return rest;
}
