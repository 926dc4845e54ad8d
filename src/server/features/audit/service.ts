import type { Db, Prisma, SqlReaders } from "@/server/adapters/db";
import { newestAuditEvents } from "@/server/core/audit/rows";
import { contentFromRow } from "@/server/core/audit/log";
import { fitToBudget } from "@/server/core/paging";
import type { VerifyResult } from "@/server/core/audit/verify";
import { enqueueNotification } from "@/server/features/notifications/outbox";
import type { AuditEventDto, AuditListInput } from "./schema";
import { searchAuditEvents } from "./search";

/**
 * An intent's events: those the intents service wrote (target = the id) and the calls that named it
 * in their input (polls, cancels, refused approvals), which the request middleware logs without a target.
 */
/** Served by the intent's events' "target" index and a partial index on input #> '{id}' (migration 20261127010000). */
const intentWhere = (id: string): Prisma.AuditEventWhereInput => ({
  OR: [{ target: id }, { resourceType: "intent", input: { path: ["id"], equals: id } }],
});

function whereOf(q: AuditListInput): Prisma.AuditEventWhereInput {
  return {
    ...(q.intentId ? { AND: [intentWhere(q.intentId)] } : {}),
    actorType: q.actorType,
    actorId: q.actorId,
    clientId: q.clientId,
    target: q.target,
    outcome: q.outcome,
    ...(q.action ? { action: { startsWith: q.action } } : {}),
    ...(q.since || q.until ? { at: { ...(q.since ? { gte: new Date(q.since) } : {}), ...(q.until ? { lt: new Date(q.until) } : {}) } } : {}),
    ...(q.cursor ? { seq: { lt: BigInt(q.cursor) } } : {}),
  };
}

type Row = Awaited<ReturnType<Db["auditEvent"]["findMany"]>>[number];
type Unnamed = Omit<AuditEventDto, "actorName">;
const toDto = (r: Row): Unnamed => ({ ...contentFromRow(r), seq: Number(r.seq), prevHash: r.prevHash, hash: r.hash });

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Users are recorded by their stable id; readers want their email beside it. */
async function withActorNames(db: Db, events: Unnamed[]): Promise<AuditEventDto[]> {
  const { users } = await userNames(
    db,
    events.filter((e) => e.actorType === "user").map((e) => e.actorId),
  );
  const emails = new Map(users.map((u) => [u.id, u.email]));
  return events.map((e) => ({ ...e, actorName: e.actorType === "user" ? (emails.get(e.actorId) ?? null) : null }));
}

/** Emails of the users among these ids (actors elsewhere, e.g. context's updatedBy, name users by id). */
export async function userNames(db: Db, ids: string[]) {
  const valid = [...new Set(ids.filter(isUuid))];
  return { users: valid.length ? await db.user.findMany({ where: { id: { in: valid } }, select: { id: true, email: true } }) : [] };
}

/** An actor filter may name a user by email; the log holds their id. */
async function resolveActorId(db: Db, actorId: string | undefined): Promise<string | undefined> {
  if (!actorId?.includes("@")) return actorId;
  const user = await db.user.findUnique({ where: { email: actorId.toLowerCase() }, select: { id: true } });
  return user?.id ?? actorId;
}

/**
 * Newest first, filtered, paginated by sequence number and cut to fit a response budget. With `q`,
 * full-text search (raw SQL over the GIN index, search.ts) picks the page's rows under the same filters.
 */
export async function listAuditEvents(deps: SqlReaders, input: AuditListInput) {
  const { db } = deps;
  const q = { ...input, actorId: await resolveActorId(db, input.actorId), intentId: input.intentId?.toLowerCase() };
  const take = q.limit + 1;
  const rows: Unnamed[] = q.q ? await searchAuditEvents(deps, { ...q, q: q.q }, take) : (await db.auditEvent.findMany({ where: whereOf(q), orderBy: { seq: "desc" }, take })).map(toDto);
  const { items, cut } = fitToBudget(await withActorNames(db, rows.slice(0, q.limit)));
  const more = cut || rows.length > q.limit;
  return { items, nextCursor: more && items.length ? items[items.length - 1]!.seq : null };
}

/**
 * The latest events for the dashboard: the newest rows, read backwards along the primary key (a
 * copy in the shared store cost every audited request more than this read costs the dashboard).
 */
export async function recentAuditEvents(deps: SqlReaders, limit: number) {
  return { items: await withActorNames(deps.db, await newestAuditEvents(deps, "TRUE", [], limit)) };
}

/**
 * Walks the chain; a broken one is told to the admins (notifications), once per break: the
 * dedupe key is the first bad row and the reason, so verifying again does not tell it again.
 */
/** Tells people (notifications) when a verification found the chain broken; once per break. */
export async function notifyIfBroken<R extends Pick<VerifyResult, "ok" | "firstBadSeq" | "reason" | "checked">>(db: Db, result: R): Promise<R> {
  if (!result.ok) {
    await enqueueNotification(db, {
      type: "audit.chain_failed",
      data: { firstBadSeq: result.firstBadSeq, reason: result.reason ?? "unknown", checked: result.checked },
      dedupeKey: `audit.chain_failed:${result.firstBadSeq}:${result.reason}`,
    });
  }
  return result;
}
