import type { Tx } from "@/server/adapters/db";
import type { Intent } from "@/generated/prisma/client";
import type { Actor } from "@/server/core/auth/actor";
import { enqueueNotification } from "@/server/features/notifications/outbox";
import type { ExecutionResult } from "./schema";

/** The notifications an intent raises, enqueued in the transaction of the status change that causes them. */
export function intentSummary(action: string, target: Record<string, unknown>): string {
  const t = target as Partial<Record<"repo" | "ref" | "environment" | "server" | "app", string>>;
  const where = [t.repo ? `${t.repo}${t.ref ? `@${t.ref}` : ""}` : null, t.environment ? `to ${t.environment}` : null, t.server ? `on server ${t.server}` : null, t.app ? `app ${t.app}` : null];
  return [action.replace(/_/g, " "), ...where.filter(Boolean)].join(" ");
}

function requesterLabel(actor: Actor): string {
  if (actor.type === "user") return actor.email;
  if (actor.type === "api_key") return `client ${actor.clientId}`;
  return actor.id;
}

export async function notifyApprovalRequested(tx: Tx, row: Intent, actor: Actor): Promise<void> {
  await enqueueNotification(tx, {
    type: "intent.approval_requested",
    data: {
      intentId: row.id,
      action: row.action,
      summary: intentSummary(row.action, row.target as Record<string, unknown>),
      reason: row.reason,
      requester: requesterLabel(actor),
      approverRoles: row.approverRoles,
      requesterUserId: row.requesterUserId,
      clientId: row.clientId,
      expiresAt: row.expiresAt?.toISOString() ?? null,
    },
  });
}

export async function notifyExecutionOutcome(tx: Tx, row: { id: string; action: string; target: unknown }, result: Pick<ExecutionResult, "ok" | "dryRun" | "summary" | "error">): Promise<void> {
  const common = { intentId: row.id, action: row.action, summary: intentSummary(row.action, row.target as Record<string, unknown>), dryRun: result.dryRun };
  await enqueueNotification(
    tx,
    result.ok
      ? { type: "intent.executed", data: { ...common, result: result.summary } }
      : { type: "intent.failed", data: { ...common, error: result.error ? `${result.summary} (${result.error})` : result.summary } },
  );
}
