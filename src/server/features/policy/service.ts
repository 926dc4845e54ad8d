import type { Db, Tx } from "@/server/adapters/db";
import type { PolicyVersion } from "@/generated/prisma/client";
import { eventFor, type AuditLog, type CallContext } from "@/server/core/audit/log";
import { AppError } from "@/server/core/errors";
import { evaluate, intentFacts } from "./engine";
import { rulesSchema, type IntentAction, type Rule } from "./schema";

/** Policies are data: versioned rows, the highest in force, each change audited in its transaction. */
export interface ActivePolicy {
  version: number;
  rules: Rule[];
}

function view(row: PolicyVersion) {
  return { version: row.version, rules: row.rules as unknown[], comment: row.comment, createdBy: row.createdBy, createdAt: row.createdAt.toISOString() };
}

/** The policy in force. A stored policy that no longer validates decides nothing: every intent is denied (fail closed). */
export async function activePolicy(db: Db | Tx): Promise<ActivePolicy> {
  const row = await db.policyVersion.findFirst({ orderBy: { version: "desc" } });
  if (!row) return { version: 0, rules: [] };
  const parsed = rulesSchema.safeParse(row.rules);
  if (!parsed.success) console.error(`[policy] version ${row.version} does not validate; denying every intent until it is replaced`);
  return { version: row.version, rules: parsed.success ? parsed.data : [] };
}

export async function getPolicy(db: Db) {
  const row = await db.policyVersion.findFirst({ orderBy: { version: "desc" } });
  if (!row) throw new AppError("NOT_FOUND", "No policy has been stored yet.");
  return view(row);
}

export async function listPolicyVersions(db: Db, limit = 20) {
  const rows = await db.policyVersion.findMany({ orderBy: { version: "desc" }, take: limit });
  return rows.map(view);
}

/** Validates a candidate rule list; 422 with the issues (paths into the list) when it does not. */
export function parseRules(input: unknown): Rule[] {
  const parsed = rulesSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new AppError("UNPROCESSABLE", `The policy is not valid: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`, { issues });
  }
  return parsed.data;
}

/** A new version on top of `baseVersion`; someone else's newer version in between → 409 (never a silent overwrite). */
export async function replacePolicy(audit: AuditLog, call: CallContext, input: { baseVersion: number; rules: unknown; comment: string }) {
  const rules = parseRules(input.rules);
  return audit.transact(async (tx, log) => {
    const latest = await tx.policyVersion.findFirst({ orderBy: { version: "desc" }, select: { version: true } });
    if ((latest?.version ?? 0) !== input.baseVersion) {
      throw new AppError("CONFLICT", `The policy changed meanwhile: version ${latest?.version} is in force, your edit started from ${input.baseVersion}. Reload and reapply.`);
    }
    const row = await tx.policyVersion
      .create({ data: { version: input.baseVersion + 1, rules: rules as unknown as object[], comment: input.comment, createdBy: `${call.actor.type}:${call.actor.id}` } })
      .catch((err: { code?: string }) => {
        throw err.code === "P2002" ? new AppError("CONFLICT", "Someone saved a policy version at the same moment; reload and reapply.") : err;
      });
    await log(
      eventFor(call, {
        action: "policy.replace",
        resourceType: "policy",
        target: `v${row.version}`,
        detail: { from: input.baseVersion, to: row.version, comment: input.comment, rules: rules.length },
      }),
    );
    return view(row);
  });
}

/** "This change would have decided these N intents differently": the candidate against recent intents, at their own time. */
export async function dryRunPolicy(db: Db, rulesInput: unknown, limit: number) {
  const rules = parseRules(rulesInput);
  const rows = await db.intent.findMany({ orderBy: { createdAt: "desc" }, take: limit });
  const userIds = [...new Set(rows.filter((r) => r.requesterType === "user").map((r) => r.requesterId))];
  const emails = new Map((await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
  const changed = [];
  for (const row of rows) {
    const facts = intentFacts(row.action as IntentAction, row.target as Record<string, unknown>, row.params as Record<string, unknown>);
    const client = row.requesterType === "user" ? `user:${emails.get(row.requesterId) ?? row.requesterId}` : row.requesterId;
    const after = evaluate(facts, { client }, rules, row.createdAt);
    if (after.decision !== row.decision || after.rule !== row.ruleId) {
      changed.push({
        id: row.id,
        action: row.action,
        requester: row.requesterId,
        createdAt: row.createdAt.toISOString(),
        before: { decision: row.decision, rule: row.ruleId },
        after: { decision: after.decision, rule: after.rule },
      });
    }
  }
  return { considered: rows.length, changed };
}
