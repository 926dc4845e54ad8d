import { querySql } from "@/server/adapters/db";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import { systemActor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";

/**
 * Expiry by the database clock, applied lazily wherever intents are read or decided (and by the
 * sweep): each due pending intent moves to expired in one guarded statement, audited with it.
 */
export async function expireDue(deps: Deps, call: CallContext, scope: { id?: string; requester?: { type: string; id: string } }): Promise<string[]> {
  const filters: string[] = [];
  const args: unknown[] = [];
  if (scope.id) filters.push(`"id" = $${args.push(scope.id)}::uuid`);
  if (scope.requester) filters.push(`"requester_type" = $${args.push(scope.requester.type)} AND "requester_id" = $${args.push(scope.requester.id)}`);
  const where = `"status" = 'pending_approval' AND "expires_at" <= now()${filters.map((f) => ` AND ${f}`).join("")}`;
  // Cheap check first: most reads find nothing due and should not open a transaction.
  const due = await querySql<{ n: number }>(deps, `SELECT count(*)::int AS n FROM "intent" WHERE ${where}`, args);
  if (!due[0]?.n) return [];
  return deps.audit.transact(async (tx, log) => {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(`UPDATE "intent" SET "status" = 'expired', "version" = "version" + 1, "updated_at" = now() WHERE ${where} RETURNING "id"`, ...args);
    for (const { id } of rows) {
      await log(eventFor({ ...call, actor: systemActor("expiry") }, { action: "intents.expire", resourceType: "intent", target: id, detail: { by: "database clock" } }));
    }
    return rows.map((r) => r.id);
  });
}
