import { setImmediate as nextTurn } from "node:timers/promises";
import { queryPreparedSql, querySql, type Database, type SqlReaders } from "@/server/adapters/db";
import type { PlannedParam } from "@/server/adapters/db/sql";
import type { AuditRecord } from "./log";

/**
 * Rows per page when streaming the chain: one round trip per page (read ahead, so Postgres and Node
 * overlap). A page's parsed rows live until the next page replaces them; at 5,000 (≈ 12 MB with the
 * page read ahead) they outlived V8's young generation and were promoted, and the old generation grew
 * to ≈ 150 MB of garbage in a seal; at 1,000 they die young (≈ 80 MB heap, same time).
 */
export const ROW_PAGE = 1_000;
/** On the embedded database, whose statements run on the thread every request shares: ~10 ms of it per page. */
const EMBEDDED_PAGE = 500;

/** The columns of an event as its readers want them (not its search document). */
export const AUDIT_COLUMNS = `"seq", "at", "actor_type", "actor_id", "client_id", "action", "resource_type", "target", "outcome", "status", "latency_ms",
  "request_id", "surface", "ip", "input", "detail", "prev_hash", "hash"`;

/**
 * Events as one JSON text (an array of rows, each an array of its columns, `at` in epoch milliseconds),
 * newest or oldest first: one value to parse instead of 18 fields a row. On the embedded database,
 * whose driver parses each field in JavaScript, that took a third off the CPU of reading a row.
 */
const asJson = (statement: string, order: "ASC" | "DESC") =>
  `SELECT json_agg(json_build_array("seq", (extract(epoch FROM "at") * 1000)::bigint, "actor_type", "actor_id", "client_id", "action", "resource_type",
  "target", "outcome", "status", "latency_ms", "request_id", "surface", "ip", "input", "detail", "prev_hash", "hash") ORDER BY "seq" ${order})::text AS "page"
  FROM (${statement}) AS "r"`;
/**
 * A page of the chain. The upper bound is applied outside the LIMIT: with both bounds inside, a planner
 * without statistics (the embedded database has no autovacuum, so no ANALYZE) took the range for a few
 * rows and read every row up to it, then sorted them, for each page: a walk quadratic in the rows walked.
 */
const PAGE = asJson(`SELECT * FROM (SELECT ${AUDIT_COLUMNS} FROM "audit_event" WHERE "seq" >= $1 ORDER BY "seq" LIMIT $3) AS "next" WHERE "seq" <= $2`, "ASC");
type PageRow = [number, number, string, string, string | null, string, string, string | null, string, number, number | null, string, string, string | null, unknown, unknown, string, string];

function fromPage(t: PageRow): AuditRecord {
  return {
    seq: t[0],
    prevHash: t[16],
    hash: t[17],
    at: new Date(t[1]).toISOString(),
    actorType: t[2],
    actorId: t[3],
    clientId: t[4],
    action: t[5],
    resourceType: t[6],
    target: t[7],
    outcome: t[8],
    status: t[9],
    latencyMs: t[10],
    requestId: t[11],
    surface: t[12],
    ip: t[13],
    input: t[14] ?? null,
    detail: t[15] ?? null,
  };
}

/**
 * The chain's rows from `fromSeq` to `toSeq` in order, a page at a time (keyset on seq), through the
 * plain pg pool where there is one (far cheaper per row than Prisma for a million rows). On Postgres
 * the next page is read while the caller works on this one, so the two overlap. The embedded database
 * runs on this thread, so there it is read after, and the event loop is let through between pages:
 * requests that came in meanwhile get their statements in before the next page's, instead of waiting
 * for the whole walk.
 */
export async function* auditRows(database: Database, fromSeq: number, toSeq: number = Number.MAX_SAFE_INTEGER): AsyncIterable<AuditRecord> {
  const read = async (from: number): Promise<PageRow[]> => {
    const params = [String(from), String(toSeq), String(size)];
    const [row] = database.sql ? await database.sql.query<{ page: string | null }>(PAGE, params) : await database.prisma.$queryRawUnsafe<{ page: string | null }[]>(PAGE, ...params.map(BigInt));
    return row?.page ? (JSON.parse(row.page) as PageRow[]) : [];
  };
  const readAhead = database.kind !== "pglite";
  const size = readAhead ? ROW_PAGE : EMBEDDED_PAGE;
  let next: Promise<PageRow[]> | null = read(fromSeq);
  while (next) {
    const page: PageRow[] = await next;
    const more = page.length === size && page.at(-1)![0] < toSeq ? page.at(-1)![0] + 1 : null;
    next = more !== null && readAhead ? read(more) : null;
    // a caller that stops early (a broken chain) leaves the read ahead unawaited: its failure is not news
    next?.catch(() => {});
    for (const r of page) yield fromPage(r);
    if (more !== null && !readAhead) {
      await nextTurn();
      next = read(more);
    }
  }
}

/**
 * The newest events matching `where` (SQL over the table's columns, with $1… parameters), newest first:
 * what the log's readers page through (recent events, a search's page, a context key's history), read
 * through the plain pg pool where there is one, which costs a reader about half of what Prisma does.
 */
export function newestAuditEvents(deps: SqlReaders, where: string, params: unknown[], limit: number): Promise<AuditRecord[]> {
  return readAuditEvents(deps, `SELECT ${AUDIT_COLUMNS} FROM "audit_event" WHERE ${where} ORDER BY "seq" DESC LIMIT $${params.length + 1}`, [...params, limit]);
}

/**
 * Events read by a statement of the caller's that selects AUDIT_COLUMNS (with $1… parameters), newest first.
 * `planned`: a statement run often with the same text, prepared once per connection (queryPreparedSql); the
 * embedded database's one connection ran generic plans of these already.
 */
export async function readAuditEvents(deps: SqlReaders, statement: string, params: unknown[], opts: { planned?: boolean } = {}): Promise<AuditRecord[]> {
  const text = asJson(statement, "DESC");
  const [row] = opts.planned ? await queryPreparedSql<{ page: string | null }>(deps, text, params as PlannedParam[]) : await querySql<{ page: string | null }>(deps, text, params);
  return row?.page ? (JSON.parse(row.page) as PageRow[]).map(fromPage) : [];
}
