import { querySql, type Database, type SqlReaders } from "@/server/adapters/db";
import type { AuditRecord } from "./log";

/**
 * Rows per page when streaming the chain: one round trip per page (read ahead, so Postgres and Node
 * overlap). A page's parsed rows live until the next page replaces them; at 5,000 (≈ 12 MB with the
 * page read ahead) they outlived V8's young generation and were promoted, and the old generation grew
 * to ≈ 150 MB of garbage in a seal; at 1,000 they die young (≈ 80 MB heap, same time).
 */
export const ROW_PAGE = 1_000;

interface RawRow {
  seq: bigint | string | number;
  at: Date | string;
  actor_type: string;
  actor_id: string;
  client_id: string | null;
  action: string;
  resource_type: string;
  target: string | null;
  outcome: string;
  status: number;
  latency_ms: number | null;
  request_id: string;
  surface: string;
  ip: string | null;
  input: unknown;
  detail: unknown;
  prev_hash: string;
  hash: string;
}

/** The columns of an event as its readers want them (not its search document). */
export const AUDIT_COLUMNS = `"seq", "at", "actor_type", "actor_id", "client_id", "action", "resource_type", "target", "outcome", "status", "latency_ms",
  "request_id", "surface", "ip", "input", "detail", "prev_hash", "hash"`;
const SELECT = `SELECT ${AUDIT_COLUMNS} FROM "audit_event" WHERE "seq" >= $1 AND "seq" <= $2 ORDER BY "seq" LIMIT ${ROW_PAGE}`;

/** An archived row: the chained content plus its place in the chain (what the archive holds, one per line). */
function toRecord(r: RawRow): AuditRecord {
  return {
    seq: Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
    at: new Date(r.at).toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    clientId: r.client_id,
    action: r.action,
    resourceType: r.resource_type,
    target: r.target,
    outcome: r.outcome,
    status: r.status,
    latencyMs: r.latency_ms,
    requestId: r.request_id,
    surface: r.surface,
    ip: r.ip,
    input: r.input ?? null,
    detail: r.detail ?? null,
  };
}

/**
 * The chain's rows from `fromSeq` to `toSeq` in order, a page at a time (keyset on seq), through the
 * plain pg pool where there is one (far cheaper per row than Prisma for a million rows). The next page
 * is read while the caller works on this one: Postgres and Node overlap instead of taking turns.
 */
export async function* auditRows(database: Database, fromSeq: number, toSeq: number = Number.MAX_SAFE_INTEGER): AsyncIterable<AuditRecord> {
  const read = (from: number): Promise<RawRow[]> =>
    database.sql ? database.sql.query<RawRow>(SELECT, [String(from), String(toSeq)]) : database.prisma.$queryRawUnsafe<RawRow[]>(SELECT, BigInt(from), BigInt(toSeq));
  let next: Promise<RawRow[]> | null = read(fromSeq);
  while (next) {
    const page: RawRow[] = await next;
    next = page.length === ROW_PAGE ? read(Number(page.at(-1)!.seq) + 1) : null;
    // a caller that stops early (a broken chain) leaves the read ahead unawaited: its failure is not news
    next?.catch(() => {});
    for (const r of page) yield toRecord(r);
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

/** Events read by a statement of the caller's that selects AUDIT_COLUMNS (with $1… parameters). */
export async function readAuditEvents(deps: SqlReaders, statement: string, params: unknown[]): Promise<AuditRecord[]> {
  return (await querySql<RawRow>(deps, statement, params)).map(toRecord);
}
