import type { Db, Tx } from "@/server/adapters/db";
import type { Approval, Intent } from "@/generated/prisma/client";
import { AppError } from "@/server/core/errors";
import type { Evaluation, IntentAction } from "@/server/features/policy/schema";
import type { ExecutionResult, IntentDto } from "./schema";
import { canTransition, type IntentStatus } from "./state";

/** Intent rows: the compare-and-set every status change goes through, locking, and the DTO. */
export type IntentWithApprovals = Intent & { approvals: Approval[] };

/** The database clock: expiry and time windows are judged by it, not by this process's clock. */
export async function dbNow(db: Db | Tx): Promise<Date> {
  const [row] = await db.$queryRawUnsafe<{ now: Date }[]>("SELECT now() AS now");
  return new Date(row!.now);
}

/**
 * One statement: the status moves only if it is still `from` at `version` (0 rows → someone else
 * moved it first). The trigger `intent_before_update` checks the transition and approvals again.
 */
export async function compareAndSet(db: Db | Tx, id: string, from: IntentStatus, to: IntentStatus, version: number, result?: ExecutionResult): Promise<boolean> {
  if (!canTransition(from, to)) throw new AppError("CONFLICT", `An intent cannot go from ${from} to ${to}.`);
  try {
    const n = await db.$executeRawUnsafe(
      `UPDATE "intent" SET "status" = $2, "version" = "version" + 1, "updated_at" = now(), "result" = COALESCE($5::jsonb, "result")
        WHERE "id" = $1::uuid AND "status" = $3 AND "version" = $4`,
      id,
      to,
      from,
      version,
      result ? JSON.stringify(result) : null,
    );
    return n === 1;
  } catch (err) {
    throw mapDbError(err) ?? err;
  }
}

export async function compareAndSetOrConflict(db: Db | Tx, id: string, from: IntentStatus, to: IntentStatus, version: number, result?: ExecutionResult) {
  if (!(await compareAndSet(db, id, from, to, version, result))) {
    throw new AppError("CONFLICT", `The intent changed meanwhile (it is no longer ${from} at version ${version}); reload and try again.`);
  }
}

/** Locks the row for the rest of the transaction; `expired` is judged by the database clock. */
export async function lockIntent(tx: Tx, id: string): Promise<{ status: IntentStatus; version: number; expired: boolean } | null> {
  const rows = await tx.$queryRawUnsafe<{ status: IntentStatus; version: number; expired: boolean }[]>(
    `SELECT "status", "version", COALESCE("expires_at" <= now(), false) AS "expired" FROM "intent" WHERE "id" = $1::uuid FOR UPDATE`,
    id,
  );
  return rows[0] ?? null;
}

const DB_ERRORS: Record<string, [AppError["code"], string]> = {
  approval_no_intent: ["NOT_FOUND", "No such intent."],
  approval_not_pending: ["CONFLICT", "This intent is no longer pending; it cannot be decided."],
  approval_expired: ["CONFLICT", "This intent has expired; it can no longer be approved."],
  approval_payload_mismatch: ["CONFLICT", "The intent's payload differs from the one you reviewed; reload it."],
  approval_forbidden: ["FORBIDDEN", "You may not decide this intent (role or account)."],
  approval_four_eyes: ["FORBIDDEN", "Four-eyes rule: the requester, or the owner or creator of its client or key, cannot approve its intent."],
  approval_unowned_key: [
    "FORBIDDEN",
    "No person is accountable for the API key that proposed this intent, so it cannot be approved (only denied). Mint the client a key with an owner and propose again.",
  ],
  intent_illegal_transition: ["CONFLICT", "That status change is not allowed."],
  intent_not_approved: ["CONFLICT", "The intent does not have its required approvals."],
  intent_not_denied: ["CONFLICT", "No denial was recorded."],
  intent_not_expired: ["CONFLICT", "The intent has not expired."],
  intent_version: ["CONFLICT", "The intent changed meanwhile."],
  intent_immutable: ["CONFLICT", "An intent's payload and decision never change."],
  intent_illegal_state: ["UNPROCESSABLE", "A new intent must start where its policy decision puts it."],
};

/** The AppError for an error raised by our triggers (or a duplicate decision), else null. */
export function mapDbError(err: unknown): AppError | null {
  const e = err as { code?: string; message?: string; meta?: unknown };
  const text = `${e.message ?? ""} ${JSON.stringify(e.meta ?? {})}`;
  const tag = /\b((?:approval|intent)_[a-z_]+):/.exec(text)?.[1];
  if (tag && DB_ERRORS[tag]) return new AppError(DB_ERRORS[tag][0], DB_ERRORS[tag][1], { reason: tag });
  if (e.code === "P2002" || /approval_intent_id_user_id_key|23505/.test(text))
    return new AppError("CONFLICT", "You have already decided this intent: nobody decides twice.", { reason: "duplicate_decision" });
  return null;
}

export function toDto(row: IntentWithApprovals): IntentDto {
  const decisions = [...row.approvals].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const evaluation = { trace: row.trace as Evaluation["trace"] };
  return {
    id: row.id,
    action: row.action as IntentAction,
    target: row.target as Record<string, unknown>,
    params: row.params as Record<string, unknown>,
    reason: row.reason,
    status: row.status as IntentStatus,
    version: row.version,
    requester: { type: row.requesterType as "api_key" | "user", id: row.requesterId },
    policy: {
      version: row.policyVersion,
      decision: row.decision as Evaluation["decision"],
      rule: row.ruleId,
      trace: evaluation.trace,
      approvals: row.requiredApprovals > 0 ? { count: row.requiredApprovals, roles: row.approverRoles as ("approver" | "admin")[], expiresInMinutes: expiryMinutes(row) } : null,
    },
    approvals: {
      required: row.requiredApprovals,
      received: decisions.filter((d) => d.decision === "approve").length,
      decisions: decisions.map((d) => ({ decision: d.decision as "approve" | "deny", comment: d.comment, at: d.createdAt.toISOString() })),
    },
    payloadHash: row.payloadHash,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    result: (row.result as ExecutionResult | null) ?? null,
  };
}

function expiryMinutes(row: Intent): number {
  return row.expiresAt ? Math.max(1, Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 60_000)) : 1;
}
