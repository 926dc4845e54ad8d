import { querySql } from "@/server/adapters/db";
import type { Approval, Intent } from "@/generated/prisma/client";
import type { Deps } from "@/server/deps";
import type { IntentWithApprovals } from "./store";

/**
 * Intents as their requester reads them (a poll, a page of the list): each row with its approvals in one
 * statement, through the plain pg pool where there is one. Through Prisma, a row and its approvals were
 * two statements and most of a poll's CPU. `due` says whether the row is pending past its expiry by the
 * database clock, so a poll asks for an expiry only when one is due.
 */
const COLUMNS = `i."id", i."requester_type" AS "requesterType", i."requester_id" AS "requesterId", i."client_id" AS "clientId", i."key_id" AS "keyId",
  i."requester_user_id" AS "requesterUserId", i."action", i."target", i."params", i."reason", i."payload_hash" AS "payloadHash", i."status",
  i."version", i."decision", i."rule_id" AS "ruleId", i."trace", i."policy_version" AS "policyVersion", i."required_approvals" AS "requiredApprovals",
  i."approver_roles" AS "approverRoles", i."expires_at" AS "expiresAt", i."result", i."created_at" AS "createdAt", i."updated_at" AS "updatedAt",
  COALESCE(i."status" = 'pending_approval' AND i."expires_at" <= now(), false) AS "due",
  COALESCE((SELECT json_agg(json_build_object('id', a."id", 'intentId', a."intent_id", 'userId', a."user_id", 'decision', a."decision",
    'comment', a."comment", 'payloadHash', a."payload_hash", 'createdAt', a."created_at") ORDER BY a."created_at") FROM "approval" a WHERE a."intent_id" = i."id"), '[]') AS "approvals"`;

type RawApproval = Omit<Approval, "createdAt"> & { createdAt: string };
type RawIntent = Omit<Intent, "expiresAt" | "createdAt" | "updatedAt"> & {
  expiresAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  due: boolean;
  approvals: RawApproval[] | string;
};

export type ReadIntent = IntentWithApprovals & { due: boolean };

function rowOf(r: RawIntent): ReadIntent {
  const approvals = (typeof r.approvals === "string" ? (JSON.parse(r.approvals) as RawApproval[]) : r.approvals).map((a) => ({ ...a, createdAt: new Date(a.createdAt) }));
  return { ...r, expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt), createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt), approvals };
}

/** One intent by id, whoever requested it (the caller checks ownership), or null. */
export async function readIntent(deps: Pick<Deps, "db" | "database">, id: string): Promise<ReadIntent | null> {
  const [row] = await querySql<RawIntent>(deps, `SELECT ${COLUMNS} FROM "intent" i WHERE i."id" = $1::uuid`, [id]);
  return row ? rowOf(row) : null;
}

/**
 * A requester's intents, newest first, after the cursor's (createdAt, id) when given. Each row also says
 * whether any of the requester's intents, on this page or not, is pending past its expiry (`anyDue`), so a
 * page needs no statement of its own to learn that none is.
 */
export async function readIntentPage(
  deps: Pick<Deps, "db" | "database">,
  q: { requester: { type: string; id: string }; status?: string; cursor: { at: Date; id: string } | null; take: number },
): Promise<(ReadIntent & { anyDue: boolean })[]> {
  const args: unknown[] = [q.requester.type, q.requester.id];
  let where = `i."requester_type" = $1 AND i."requester_id" = $2`;
  if (q.status) where += ` AND i."status" = $${args.push(q.status)}`;
  if (q.cursor) where += ` AND (i."created_at", i."id") < ($${args.push(q.cursor.at.toISOString())}::timestamptz, $${args.push(q.cursor.id)}::uuid)`;
  const anyDue = `EXISTS (SELECT 1 FROM "intent" d WHERE d."requester_type" = $1 AND d."requester_id" = $2 AND d."status" = 'pending_approval' AND d."expires_at" <= now()) AS "anyDue"`;
  const rows = await querySql<RawIntent & { anyDue: boolean }>(
    deps,
    `SELECT ${COLUMNS}, ${anyDue} FROM "intent" i WHERE ${where} ORDER BY i."created_at" DESC, i."id" DESC LIMIT $${args.push(q.take)}`,
    args,
  );
  return rows.map((r) => ({ ...rowOf(r), anyDue: r.anyDue }));
}
