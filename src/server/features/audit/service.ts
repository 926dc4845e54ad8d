import type { Db, Prisma } from "@/server/adapters/db";
import { contentFromRow } from "@/server/core/audit/log";
import { fitToBudget } from "@/server/core/paging";
import type { AuditEventDto, AuditListInput } from "./schema";

/** Newest first, filtered, paginated by sequence number and cut to fit a response budget. */
export async function listAuditEvents(db: Db, q: AuditListInput) {
  const where: Prisma.AuditEventWhereInput = {
    actorType: q.actorType,
    actorId: q.actorId,
    clientId: q.clientId,
    outcome: q.outcome,
    ...(q.action ? { action: { startsWith: q.action } } : {}),
    ...(q.since || q.until ? { at: { ...(q.since ? { gte: new Date(q.since) } : {}), ...(q.until ? { lt: new Date(q.until) } : {}) } } : {}),
    ...(q.cursor ? { seq: { lt: BigInt(q.cursor) } } : {}),
  };
  const rows = await db.auditEvent.findMany({ where, orderBy: { seq: "desc" }, take: q.limit + 1 });
  const dtos: AuditEventDto[] = rows.slice(0, q.limit).map((r) => ({ ...contentFromRow(r), seq: Number(r.seq), prevHash: r.prevHash, hash: r.hash }));
  const { items, cut } = fitToBudget(dtos);
  const more = cut || rows.length > q.limit;
  return { items, nextCursor: more && items.length ? items[items.length - 1]!.seq : null };
}
