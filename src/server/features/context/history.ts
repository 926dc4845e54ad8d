import type { SqlReaders } from "@/server/adapters/db";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { SnapshotCache } from "@/server/core/snapshot";
import { newestAuditEvents } from "@/server/core/audit/rows";
import type { AuditRecord } from "@/server/core/audit/log";
import type { ScopeGuard } from "./access";
import type { HistoryItem } from "./schema";
import { SCOPES_INDEX, scopeIndex } from "./store";
import { SUMMARY_SNAPSHOTS, targetOf } from "./service";

/**
 * A key's history is read from the audit log (context.put / context.delete events with target
 * "<scope>/<key>"): one durable, tamper-evident record, which outlives the entry itself.
 */
const ACTIONS = ["context.put", "context.delete"];
const MAX_SCOPES = 200;
/** How long one view's summary is shared: under the Status page's 5-second refresh. */
export const SUMMARY_MAX_AGE_MS = 2_000;

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

function itemOf(row: AuditRecord): HistoryItem & { detail: Detail } {
  const d = (row.detail ?? {}) as Detail;
  return {
    operation: row.action === "context.delete" ? "delete" : "put",
    at: row.at,
    actor: { type: row.actorType, id: row.actorId, clientId: row.clientId },
    version: d.version ?? null,
    previousVersion: d.previousVersion ?? null,
    conflict: d.conflict === true,
    conflictWith: d.conflictWith ?? null,
    value: d.truncated ? null : (d.value ?? null),
    preview: d.preview ?? null,
    truncated: d.truncated === true,
    requestId: row.requestId,
    auditSeq: row.seq,
    detail: d,
  };
}

/** The last `limit` writes of a key, newest first. */
export async function keyHistory(deps: SqlReaders, input: { scope: string; key: string; limit: number }): Promise<{ items: HistoryItem[] }> {
  const rows = await newestAuditEvents(deps, `"target" = $1 AND "action" = ANY($2::text[])`, [targetOf(input.scope, input.key), ACTIONS], input.limit);
  return { items: rows.map((r) => withoutDetail(itemOf(r))) };
}

/**
 * contextSummary as every caller with the same view shares it on this instance for up to
 * SUMMARY_MAX_AGE_MS (a write, a delete or a grant forgets it at once); `asOf` says when it was read.
 */
export async function sharedContextSummary(deps: SqlReaders & { kv: KeyValueStore; snapshots: SnapshotCache }, guard: ScopeGuard) {
  const { value, asOf } = await deps.snapshots.get(`${SUMMARY_SNAPSHOTS}${guard.view}`, SUMMARY_MAX_AGE_MS, () => contextSummary(deps, guard));
  return { ...value, asOf: asOf.toISOString() };
}

/** Entry counts per live scope, and the last five writes across scopes, of the scopes the caller may read (the Status page's card). */
export async function contextSummary(deps: SqlReaders & { kv: KeyValueStore }, guard: ScopeGuard) {
  const [readable, rows] = await Promise.all([readableScopes(deps.kv, guard), lastWrites(deps, guard)]);
  const counts = await Promise.all(readable.map((s) => deps.kv.indexCount(scopeIndex(s))));
  return {
    scopes: readable.map((scope, i) => ({ scope, entries: counts[i]! })).filter((s) => s.entries > 0),
    lastWrites: rows.map((r) => {
      const item = itemOf(r);
      return { ...withoutDetail(item), scope: item.detail.scope ?? "", key: item.detail.key ?? "" };
    }),
  };
}

const SCOPE_PAGES = 10;

/**
 * The first MAX_SCOPES live scopes, in name order, that the caller may read: other clients' scopes are
 * skipped, not counted against the caller's, looking at most SCOPE_PAGES pages of the index.
 */
async function readableScopes(kv: KeyValueStore, guard: ScopeGuard): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < SCOPE_PAGES && out.length < MAX_SCOPES; page++) {
    const scopes = await kv.indexRange(SCOPES_INDEX, { after, limit: MAX_SCOPES });
    const allowed = await Promise.all(scopes.map((s) => guard.can(s, "read")));
    out.push(...scopes.filter((_, i) => allowed[i]));
    if (scopes.length < MAX_SCOPES) break;
    after = scopes[scopes.length - 1];
  }
  return out.slice(0, MAX_SCOPES);
}

const LAST_WRITES = 5;
const PAGE = 100;
const MAX_PAGES = 10;

/** The newest writes in scopes the caller may read, looking back at most MAX_PAGES pages of writes. */
async function lastWrites(deps: SqlReaders, guard: ScopeGuard): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let before = Number.MAX_SAFE_INTEGER;
  for (let page = 0; page < MAX_PAGES && out.length < LAST_WRITES; page++) {
    const rows = await newestAuditEvents(deps, `"action" = ANY($1::text[]) AND "target" IS NOT NULL AND "seq" < $2::bigint`, [ACTIONS, String(before)], page === 0 ? LAST_WRITES : PAGE);
    for (const row of rows) {
      if (out.length < LAST_WRITES && (await guard.can((row.detail as Detail | null)?.scope ?? "", "read"))) out.push(row);
    }
    if (rows.length === 0) break;
    before = rows.at(-1)!.seq;
  }
  return out;
}

function withoutDetail(item: HistoryItem & { detail: Detail }): HistoryItem {
  const { detail: _detail, ...rest } = item;
  return rest;
}
