import { Prisma } from "@/generated/prisma/client";
import { querySql, type SqlReaders } from "@/server/adapters/db";
import type { AuditRecord } from "@/server/core/audit/log";
import { AUDIT_COLUMNS, readAuditEvents } from "@/server/core/audit/rows";
import type { AuditListInput } from "./schema";

/**
 * The document searched, exactly as the GIN index of migration 20261127001000_audit_search spells it,
 * so the planner answers from the index.
 */
const DOCUMENT = Prisma.sql`"audit_event_search_document"("action", "target", "actor_id", "client_id", "request_id", "input", "detail")`;
/**
 * The same document as stored with the event (migration 20261206009000); computed for a row written
 * before that column whose document the backfill has not filled yet.
 */
const STORED_DOCUMENT = Prisma.sql`COALESCE("search_doc", ${DOCUMENT})`;
const COLUMNS = Prisma.raw(AUDIT_COLUMNS);

/**
 * The user's words as a tsquery: web-search syntax ("a phrase", or, -word) from websearch_to_tsquery,
 * with every lexeme made a prefix match so a partial id or key still finds its events.
 */
const query = (q: string) => Prisma.sql`regexp_replace(websearch_to_tsquery('simple', ${q})::text, '''((?:[^'']|'''')*)''', '''\\1'':*', 'g')::tsquery`;

/** An intent's events and the calls that named it, as the indexes of migrations 20261127003000 ("target") and 20261127010000 spell them. */
export const intentCondition = (id: string) => Prisma.sql`("target" = ${id} OR ("resource_type" = 'intent' AND "input" #> '{id}' = to_jsonb(${id}::text)))`;

/** The same filters as the Prisma path in service.ts (equality, intent, action prefix, [since, until), seq < cursor), in SQL; the words apart. */
function filters(q: AuditListInput): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  if (q.actorType) out.push(Prisma.sql`"actor_type" = ${q.actorType}`);
  if (q.actorId) out.push(Prisma.sql`"actor_id" = ${q.actorId}`);
  if (q.clientId) out.push(Prisma.sql`"client_id" = ${q.clientId}`);
  if (q.target) out.push(Prisma.sql`"target" = ${q.target}`);
  if (q.intentId) out.push(intentCondition(q.intentId));
  if (q.outcome) out.push(Prisma.sql`"outcome" = ${q.outcome}`);
  if (q.action) out.push(Prisma.sql`starts_with("action", ${q.action})`);
  if (q.since) out.push(Prisma.sql`"at" >= ${new Date(q.since).toISOString()}::timestamptz`);
  if (q.until) out.push(Prisma.sql`"at" < ${new Date(q.until).toISOString()}::timestamptz`);
  if (q.cursor) out.push(Prisma.sql`"seq" < ${q.cursor}::bigint`);
  return out;
}

const all = (conditions: Prisma.Sql[]) => (conditions.length ? Prisma.join(conditions, " AND ") : Prisma.sql`TRUE`);

/**
 * How many of the newest events (under the other filters) are tested in order before the index is
 * asked, then WIDER_WINDOW times as many. A word most events carry ("audit", a client id) has a match
 * list as long as the log: read from the index, all of it is fetched and sorted to keep a page of it;
 * read newest first, the page is there within a few rows. A rare word costs both windows' tests of
 * stored documents before the index answers (2,100 tests: ~3 ms on the embedded database).
 */
export const RECENT_WINDOW = 100;
/** How many times more events the second window tests before the index is asked. */
const WIDER_WINDOW = 20;

/** The matching events, newest first, at most `take`: one statement when the newest events hold a page. */
export async function searchAuditEvents(deps: SqlReaders, q: AuditListInput & { q: string }, take: number, window = RECENT_WINDOW): Promise<AuditRecord[]> {
  const others = filters(q);
  // Through the plain pg pool where there is one (Prisma.Sql's text is the statement with $1… placeholders).
  // A search by words alone (the unified search's, the audit page's) is prepared once per Postgres
  // connection, and once on the embedded database, where planning these statements cost more of its CPU
  // than running them; other filters make many texts, which would take the prepared statements' places
  // from the code search's.
  const run = (sql: Prisma.Sql) => readAuditEvents(deps, sql.text, sql.values, { planned: others.length === 0 });
  // the newest `window` events in order, each tested until a page is found: when it is, these are the newest matches of all.
  // The query is a subquery so that a prepared statement's generic plan builds it once, not once per event tested.
  // Then WIDER_WINDOW times as many: a word that a tenth of recent events hold (a question asked again and again,
  // recorded in each request's event) finds its page there, where the index would fetch and sort all of its matches.
  for (const size of window > 0 ? [window, window * WIDER_WINDOW] : []) {
    const recent = await run(Prisma.sql`
      SELECT ${COLUMNS} FROM (SELECT * FROM "audit_event" WHERE ${all(others)} ORDER BY "seq" DESC LIMIT ${size}) AS "recent"
       WHERE ${STORED_DOCUMENT} @@ (SELECT ${query(q.q)}) ORDER BY "seq" DESC LIMIT ${take}`);
    if (recent.length >= take) return recent;
  }
  // The words are rare among recent events: the matches come from the GIN index and are sorted. Ordering
  // by "seq" + 0 keeps the planner off a backward walk of the primary key, which would test every event
  // down to the oldest match (the whole log when there are fewer matches than a page). Only the matches'
  // numbers are sorted, and the page's rows read after: sorting whole rows (their input and detail) of a
  // few thousand matches cost a fifth more of the database's CPU.
  return run(Prisma.sql`
    SELECT ${COLUMNS} FROM "audit_event" WHERE "seq" IN (
      SELECT "seq" FROM "audit_event" WHERE ${all([Prisma.sql`${DOCUMENT} @@ ${query(q.q)}`, ...others])} ORDER BY "seq" + 0 DESC LIMIT ${take})`);
}

/** Rows per backfill statement: short enough that requests' statements on the embedded database's one connection wait little between them. */
export const BACKFILL_BATCH = 500;

/**
 * Fills the stored document of events written before the column existed (migration 20261206009000),
 * newest first, a batch per statement, until none is left or `signal` aborts; returns how many it
 * filled. Once done, a call costs one probe of an empty index.
 */
export async function fillSearchDocuments(deps: SqlReaders, opts: { signal?: AbortSignal; batch?: number; pauseMs?: number } = {}): Promise<number> {
  let total = 0;
  while (!opts.signal?.aborted) {
    const [row] = await querySql<{ filled: number }>(deps, `SELECT "audit_fill_search_docs"($1::int) AS "filled"`, [opts.batch ?? BACKFILL_BATCH]);
    // fewer than a batch may only mean a concurrent fill took some rows: done is when none was left
    if (!row?.filled) break;
    total += row.filled;
    await new Promise((resolve) => setTimeout(resolve, opts.pauseMs ?? 50));
  }
  return total;
}
