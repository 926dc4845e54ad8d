import { randomUUID } from "node:crypto";
import { querySql, type Db, type SqlReaders } from "@/server/adapters/db";
import type { AuditEventInput } from "@/server/core/audit/log";
import { redact } from "@/server/core/audit/redact";
import { GroupCommit } from "@/server/core/group-commit";
import type { Deps } from "@/server/deps";
import { recordKey, type StoredEntry } from "./store";

/**
 * The write-ahead journal of the shared context. An entry lives in the key-value store and its audit
 * event in Postgres, with no transaction spanning both, so every write is announced here (with the
 * audit event it will need) before the store is touched, and settled once that event is stored. (An IDE
 * session's heartbeat only moves the entry's expiry and has no audit event: it is not journaled.)
 *
 * - a failure before the store write leaves nothing changed (the announcement fails first, or is settled);
 * - a crash, store timeout or database outage after it leaves the announcement, and `reconcileWrites`
 *   audits it later: a put whose record carries its write id is known to have landed (audited as a
 *   success, marked `reconciled`); anything else may or may not have landed (overwritten since, expired,
 *   or a delete) and is audited as a failure whose detail says `landed: "unknown"`.
 *
 * So no store change exists without an audit event; at worst an attempt is audited as uncertain.
 */
export type WriteAction = "context.put" | "context.delete";

/**
 * Announcements and settlements made together share one statement each way (group commit, per
 * database): a burst of writes (IDE sessions that move together) would otherwise take a pooled
 * connection and a commit per write, twice, and queue behind the pool. Both are one plain statement
 * (no Prisma, no transaction block): a lone write's journal costs two round trips, not five. A
 * successful write's settlement (settleLater) does not hold up its answer and rides the next
 * announcement's statement when one comes soon: in a burst, one statement per write, not two.
 */
const ANNOUNCE_SQL = `INSERT INTO context_write_intent (id, action, scope, key, event)
SELECT x->>'id', x->>'action', x->>'scope', x->>'key', x->'event' FROM jsonb_array_elements($1::jsonb) AS x`;
/** An announcement that also settles the writes waiting to be settled (settleLater): one statement for both. */
const ANNOUNCE_AND_SETTLE_SQL = `WITH settled AS (DELETE FROM context_write_intent WHERE id = ANY($2::text[]))
${ANNOUNCE_SQL}`;
/** The statement's own transaction commits without waiting for the disk (set_config local to it). */
const SETTLE_SQL = `WITH async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))
DELETE FROM context_write_intent WHERE id = ANY($1::text[]) AND EXISTS (SELECT 1 FROM async_commit)`;

interface Announcement {
  id: string;
  action: WriteAction;
  scope: string;
  key: string;
  event: unknown;
}

interface Journal {
  announce: GroupCommit<Announcement, null>;
  settle: GroupCommit<string, null>;
  /** Write ids whose settlement rides the next announcement (settleLater). */
  unsettled: string[];
  settleTimer: NodeJS.Timeout | null;
}

const journals = new WeakMap<Db, Journal>();

/** How long a settlement waits for an announcement to ride before it goes alone. */
const SETTLE_LATER_MS = 250;
const SETTLE_LATER_MAX = 500;

function journalOf(deps: SqlReaders): Journal {
  let journal = journals.get(deps.db);
  if (!journal) {
    const j: Journal = {
      announce: new GroupCommit(async (rows) => {
        const ids = takeUnsettled(j);
        try {
          await querySql(deps, ids.length ? ANNOUNCE_AND_SETTLE_SQL : ANNOUNCE_SQL, ids.length ? [JSON.stringify(rows), ids] : [JSON.stringify(rows)]);
        } catch (err) {
          for (const id of ids) settleLater(deps, id); // they wait for the next statement
          throw err;
        }
        return rows.map(() => null);
      }),
      settle: new GroupCommit(async (ids) => {
        await querySql(deps, SETTLE_SQL, [ids]);
        return ids.map(() => null);
      }),
      unsettled: [],
      settleTimer: null,
    };
    journal = j;
    journals.set(deps.db, journal);
  }
  return journal;
}

function takeUnsettled(journal: Journal): string[] {
  if (journal.settleTimer) clearTimeout(journal.settleTimer);
  journal.settleTimer = null;
  return journal.unsettled.splice(0);
}

export async function announceWrite(deps: SqlReaders, action: WriteAction, scope: string, key: string, event: AuditEventInput): Promise<string> {
  const id = randomUUID();
  // redacted as the audit log would store it (jsonb refuses NUL, and no secret should sit here either)
  await journalOf(deps).announce.add({ id, action, scope, key, event: redact(event) });
  return id;
}

/**
 * The write's audit event is stored (or the write is known not to have happened): forget the announcement.
 * Committed without waiting for the disk: a settlement lost to a database crash only leaves an
 * announcement whose audit event exists, which the reconciler settles. A write's answer then waits for
 * two flushes to disk (the announcement, the audit event), not three.
 */
export async function settleWrite(deps: SqlReaders, id: string): Promise<void> {
  try {
    await journalOf(deps).settle.add(id);
  } catch (err) {
    // the reconciler finds the audit event by request id and only settles it
    console.warn(`[context] write ${id} not settled: ${(err as Error).message}`);
  }
}

/**
 * settleWrite off the request path: the write's answer does not wait for it, and it rides the next
 * announcement's statement (a burst of writes settles without statements of its own), or goes alone
 * after SETTLE_LATER_MS. One lost (the process ends first, or its statement fails) leaves an
 * announcement whose audit event exists, which the reconciler only settles, as for settleWrite.
 */
export function settleLater(deps: SqlReaders, id: string): void {
  const journal = journalOf(deps);
  journal.unsettled.push(id);
  if (journal.unsettled.length >= SETTLE_LATER_MAX) void settleAlone(deps, journal);
  else journal.settleTimer ??= setTimeout(() => void settleAlone(deps, journal), SETTLE_LATER_MS).unref();
}

async function settleAlone(deps: SqlReaders, journal: Journal): Promise<void> {
  const ids = takeUnsettled(journal);
  if (ids.length === 0) return;
  // added in one turn: the group commit settles them in one statement
  await Promise.all(ids.map((id) => journal.settle.add(id))).catch((err: Error) => console.warn(`[context] ${ids.length} writes not settled: ${err.message}`));
}

/** Announcements older than this are past any request still in flight. */
export const RECONCILE_AFTER_MS = 60_000;

/** Audits the announced writes no request settled (see above); each audit event and its settlement commit together. */
export async function reconcileWrites(deps: Pick<Deps, "db" | "kv" | "audit">, opts: { olderThanMs?: number; limit?: number; scope?: string } = {}) {
  // `at` has microseconds, the clock here milliseconds: everything up to the end of this millisecond counts as older than 0 ms
  const before = new Date(Date.now() + 1 - (opts.olderThanMs ?? RECONCILE_AFTER_MS));
  const stale = await deps.db.contextWriteIntent.findMany({ where: { at: { lt: before }, scope: opts.scope }, orderBy: { at: "asc" }, take: opts.limit ?? 500 });
  const counts = { settled: 0, landed: 0, unknown: 0 };
  for (const intent of stale) {
    const event = intent.event as unknown as AuditEventInput & { detail?: Record<string, unknown> };
    const audited = await deps.db.auditEvent.count({ where: { requestId: event.requestId, action: intent.action, target: event.target ?? null } });
    if (audited > 0) {
      await deps.db.contextWriteIntent.deleteMany({ where: { id: intent.id } });
      counts.settled++;
      continue;
    }
    const record = intent.action === "context.put" ? await deps.kv.getVersioned(recordKey(intent.scope, intent.key)) : null;
    const landed = record !== null && (JSON.parse(record.value) as StoredEntry).writeId === intent.id;
    const reconciled: AuditEventInput = landed
      ? { ...event, at: intent.at, detail: { ...event.detail, version: record.version, writeId: intent.id, reconciled: true } }
      : {
          ...event,
          at: intent.at,
          outcome: "failure",
          status: 500,
          detail: {
            ...event.detail,
            writeId: intent.id,
            reconciled: true,
            landed: "unknown",
            reason: "The request ended before its audit event was stored; the store no longer shows whether this write landed.",
          },
        };
    await deps.audit.transact(async (tx, audit) => {
      const gone = await tx.contextWriteIntent.deleteMany({ where: { id: intent.id } });
      if (gone.count === 1) await audit(reconciled); // another reconciler took it
    });
    counts[landed ? "landed" : "unknown"]++;
  }
  return counts;
}
