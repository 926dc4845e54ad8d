import type { Db, Prisma } from "@/server/adapters/db";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import { startExecution, waitBriefly } from "./execution";
import { expireDue } from "./expiry";
import type { IntentDetail } from "./schema";
import { decodeCursor, encodeCursor } from "./service";
import { tally } from "./state";
import { compareAndSetOrConflict, lockIntent, mapDbError, toDto, type IntentWithApprovals } from "./store";

/**
 * Human decisions (dashboard only; the procedure builder admits signed-in users holding
 * intents:approve, and the `approval` table's foreign key to app_user admits nobody else).
 * Four-eyes is checked here for a clear answer and again by the database trigger: the approver is
 * not the person accountable for the key that proposed (its owner, who also owns every key it mints).
 */
type User = Extract<Actor, { type: "user" }>;

/** Why this user may not approve (or deny) this intent now; null reasons mean they may. */
export async function eligibility(db: Db, row: IntentWithApprovals, user: User, now: Date): Promise<IntentDetail["eligibility"]> {
  const no = (reason: string) => ({ canApprove: false, canDeny: false, reason });
  if (!user.permissions.includes("intents:approve")) return no("Your role cannot decide intents.");
  if (row.status !== "pending_approval") return no(`This intent is ${row.status.replace("_", " ")}.`);
  if (row.expiresAt && row.expiresAt <= now) return no("This intent has expired.");
  if (!row.approverRoles.includes(user.role)) return no(`The policy asks for ${row.approverRoles.join(" or ")}; you are ${user.role}.`);
  if (row.approvals.some((a) => a.userId === user.id)) return no("You have already decided this intent.");
  const [client, key] = await Promise.all([row.clientId ? db.apiClient.findUnique({ where: { id: row.clientId } }) : null, row.keyId ? db.apiKey.findUnique({ where: { id: row.keyId } }) : null]);
  const me = `user:${user.id}`;
  if (key && !key.ownerUserId) {
    return { canApprove: false, canDeny: true, reason: `No person is accountable for the API key ${key.prefix} that proposed this intent, so nobody can approve it; you may still deny.` };
  }
  const conflict =
    row.requesterUserId === user.id
      ? "You proposed this intent."
      : client?.ownerUserId === user.id
        ? `You own the client ${client.id} that proposed it.`
        : client?.createdBy === me
          ? `You created the client ${client.id} that proposed it.`
          : key?.createdBy === me
            ? "You created the API key that proposed it."
            : key?.ownerUserId === user.id
              ? "You own the API key that proposed it."
              : null;
  if (conflict) return { canApprove: false, canDeny: true, reason: `Four-eyes rule: ${conflict} Someone else must approve; you may still deny.` };
  return { canApprove: true, canDeny: true, reason: null };
}

async function loadRow(db: Db, id: string): Promise<IntentWithApprovals> {
  const row = await db.intent.findUnique({ where: { id }, include: { approvals: true } });
  if (!row) throw new AppError("NOT_FOUND", `No intent ${id}.`);
  return row;
}

export async function decideIntent(deps: Deps, call: CallContext, input: { id: string; decision: "approve" | "deny"; comment: string; payloadHash: string }) {
  const user = call.actor;
  if (user.type !== "user") throw new AppError("FORBIDDEN", "Only a signed-in person can approve or deny; API keys never can.");
  await loadRow(deps.db, input.id);
  const expired = await expireDue(deps, call, { id: input.id });
  if (expired.length) throw new AppError("CONFLICT", "This intent has expired; it can no longer be decided.", { reason: "expired" });
  const outcome = await deps.audit.transact(async (tx, log) => {
    const locked = await lockIntent(tx, input.id);
    if (!locked) throw new AppError("NOT_FOUND", `No intent ${input.id}.`);
    if (locked.expired) throw new AppError("CONFLICT", "This intent has expired; it can no longer be decided.", { reason: "expired" });
    if (locked.status !== "pending_approval") throw new AppError("CONFLICT", `This intent is already ${locked.status.replace("_", " ")}; it cannot be decided.`, { reason: "not_pending" });
    const row = await tx.intent.findUniqueOrThrow({ where: { id: input.id }, include: { approvals: true } });
    const allowed = await eligibility(tx as unknown as Db, row, user, new Date(0));
    if (input.decision === "approve" ? !allowed.canApprove : !allowed.canDeny) throw new AppError("FORBIDDEN", allowed.reason ?? "You may not decide this intent.");
    if (input.payloadHash !== row.payloadHash) throw new AppError("CONFLICT", "The intent's payload differs from the one you reviewed; reload it.", { reason: "payload_mismatch" });
    try {
      await tx.approval.create({ data: { intentId: input.id, userId: user.id, decision: input.decision, comment: input.comment, payloadHash: input.payloadHash } });
    } catch (err) {
      throw mapDbError(err) ?? err;
    }
    const decisions = [...row.approvals.map((a) => a.decision as "approve" | "deny"), input.decision];
    const next = tally(decisions, row.requiredApprovals);
    await log(eventFor(call, { action: `intents.${input.decision}`, resourceType: "intent", target: input.id, detail: { comment: input.comment, payloadHash: input.payloadHash } }));
    if (next !== "pending_approval") {
      await compareAndSetOrConflict(tx, input.id, "pending_approval", next, locked.version);
      await log(eventFor(call, { action: next === "approved" ? "intents.approved" : "intents.denied", resourceType: "intent", target: input.id, detail: { approvals: decisions.length } }));
    }
    return next;
  });
  if (outcome === "approved" && (await startExecution(deps, call, input.id))) await waitBriefly(input.id, 3_000);
  return intentDetail(deps, user, input.id);
}

export async function intentDetail(deps: Deps, user: User, id: string): Promise<IntentDetail> {
  await loadRow(deps.db, id);
  await expireDue(deps, { actor: user, requestId: "lazy-expiry", surface: "trpc" }, { id });
  const row = await loadRow(deps.db, id);
  const [users, audit, [clock]] = await Promise.all([
    deps.db.user.findMany({ where: { id: { in: row.approvals.map((a) => a.userId) } }, select: { id: true, email: true } }),
    deps.db.auditEvent.findMany({ where: { target: id, resourceType: "intent" }, orderBy: { seq: "asc" }, take: 100 }),
    deps.db.$queryRawUnsafe<{ now: Date }[]>("SELECT now() AS now"),
  ]);
  const email = new Map(users.map((u) => [u.id, u.email]));
  return {
    ...toDto(row),
    decisions: row.approvals
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((a) => ({ decision: a.decision as "approve" | "deny", comment: a.comment, at: a.createdAt.toISOString(), userEmail: email.get(a.userId) ?? a.userId })),
    eligibility: await eligibility(deps.db, row, user, new Date(clock!.now)),
    audit: audit.map((e) => ({ seq: Number(e.seq), at: e.at.toISOString(), action: e.action, actorType: e.actorType, actorId: e.actorId, outcome: e.outcome })),
  };
}

export async function pendingCount(deps: Deps): Promise<number> {
  const [row] = await deps.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "intent" WHERE "status" = 'pending_approval' AND "expires_at" > now()`);
  return row?.n ?? 0;
}

export async function inbox(deps: Deps, call: CallContext, limit = 100) {
  await expireDue(deps, call, {});
  const rows = await deps.db.intent.findMany({ where: { status: "pending_approval" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: limit, include: { approvals: true } });
  return { items: rows.map(toDto) };
}

export async function history(deps: Deps, q: { status?: string; action?: string; clientId?: string; since?: string; until?: string; cursor?: string; limit: number }) {
  const cursor = decodeCursor(q.cursor);
  const where: Prisma.IntentWhereInput = {
    status: q.status,
    action: q.action,
    requesterId: q.clientId,
    ...(q.since || q.until ? { createdAt: { ...(q.since ? { gte: new Date(q.since) } : {}), ...(q.until ? { lt: new Date(q.until) } : {}) } } : {}),
    ...(cursor ? { AND: [{ OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] }] } : {}),
  };
  const rows = await deps.db.intent.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: q.limit + 1, include: { approvals: true } });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toDto), nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
