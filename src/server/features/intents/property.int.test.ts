import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDeps } from "../../../../tests/support/deps";
import { callAs, caller, makeAgent, makeUser } from "../../../../tests/support/intents";
import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import { replacePolicy } from "@/server/features/policy/service";
import { startExecution } from "./execution";
import { proposeIntent } from "./service";

/**
 * Property, against the real service and database: whatever operations happen in whatever order —
 * approvals by eligible and ineligible people, denials, the owner, wrong hashes, cancels, expiry,
 * execution attempts, and writes that bypass the server — an intent never reaches executing
 * without its required approvals from distinct eligible people and no denial, and runs at most once;
 * checked after every operation, so a state that is passed through and left is caught too.
 */
let deps: Deps;
let drop: () => Promise<void>;
let approvers: Extract<Actor, { type: "user" }>[];
let owner: Extract<Actor, { type: "user" }>;
let viewer: Extract<Actor, { type: "user" }>;

type Op =
  { kind: "approve" | "deny"; who: number } | { kind: "ownerApprove" | "viewerApprove" | "wrongHash" | "cancel" | "expire" | "execute" | "forceApproved" | "forceExecuting" | "directOwnerInsert" };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom("approve" as const, "deny" as const), who: fc.integer({ min: 0, max: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        "ownerApprove" as const,
        "viewerApprove" as const,
        "wrongHash" as const,
        "cancel" as const,
        "expire" as const,
        "execute" as const,
        "forceApproved" as const,
        "forceExecuting" as const,
        "directOwnerInsert" as const,
      ),
    }),
  },
);

beforeAll(async () => {
  ({ deps, drop } = await scratchDeps());
  approvers = await Promise.all([0, 1, 2, 3].map((i) => makeUser(deps, i % 2 ? "approver" : "admin")));
  owner = await makeUser(deps, "approver");
  viewer = await makeUser(deps, "viewer");
  const admin = await makeUser(deps, "admin");
  // environments one/two/three need that many approvals
  const rules = [1, 2, 3].map((n) => ({
    id: `need-${n}`,
    match: { target: { environment: [["one", "two", "three"][n - 1]!] } },
    decision: "require_approval",
    approvals: { count: n, roles: ["approver", "admin"], expiresInMinutes: 60 },
  }));
  await replacePolicy(deps.audit, callAs(admin), { baseVersion: 1, rules, comment: "property test" });
}, 120_000);
afterAll(() => drop());

async function apply(o: Op, id: string, hash: string, agent: Actor) {
  const sql = (q: string, ...args: unknown[]) => deps.db.$executeRawUnsafe(q, ...args);
  const approve = (u: Actor, payloadHash = hash) => caller(deps, u).intents.approve({ id, comment: "prop", payloadHash });
  switch (o.kind) {
    case "approve":
      return approve(approvers[o.who]!);
    case "deny":
      return caller(deps, approvers[o.who]!).intents.deny({ id, comment: "prop", payloadHash: hash });
    case "ownerApprove":
      return approve(owner);
    case "viewerApprove":
      return approve(viewer);
    case "wrongHash":
      return approve(approvers[0]!, "a".repeat(64));
    case "cancel":
      return caller(deps, agent).intents.cancel({ id });
    case "expire":
      return sql(`UPDATE "intent" SET "expires_at" = now() - interval '1 second', "version" = "version" + 1 WHERE "id" = $1::uuid AND "status" = 'pending_approval'`, id);
    case "execute":
      return startExecution(deps, callAs(agent), id);
    case "forceApproved":
      return sql(`UPDATE "intent" SET "status" = 'approved', "version" = "version" + 1 WHERE "id" = $1::uuid`, id);
    case "forceExecuting":
      return sql(`UPDATE "intent" SET "status" = 'executing', "version" = "version" + 1 WHERE "id" = $1::uuid`, id);
    case "directOwnerInsert":
      return sql(
        `INSERT INTO "approval" ("id", "intent_id", "user_id", "decision", "comment", "payload_hash") VALUES ($1::uuid, $2::uuid, $3::uuid, 'approve', 'direct', $4)`,
        randomUUID(),
        id,
        owner.id,
        hash,
      );
  }
}

/** The invariant, checked after every operation (not only at the end): returns the status it saw. */
async function checkInvariant(intent: { id: string; payloadHash: string }, required: number): Promise<string> {
  const row = await deps.db.intent.findUniqueOrThrow({ where: { id: intent.id }, include: { approvals: true } });
  const approvals = row.approvals.filter((a) => a.decision === "approve");
  const denials = row.approvals.filter((a) => a.decision === "deny");
  expect(approvals.every((a) => a.userId !== owner.id && a.userId !== viewer.id && a.payloadHash === intent.payloadHash)).toBe(true);
  expect(new Set(row.approvals.map((a) => a.userId)).size).toBe(row.approvals.length);
  if (["approved", "executing", "succeeded", "failed"].includes(row.status)) {
    expect(approvals.length).toBeGreaterThanOrEqual(required);
    expect(denials).toHaveLength(0);
  }
  const executions = await deps.db.auditEvent.count({ where: { target: intent.id, action: "intents.execute" } });
  expect(executions).toBeLessThanOrEqual(1);
  if (executions === 1) expect(approvals.length).toBeGreaterThanOrEqual(required);
  return row.status;
}

describe("no path to executing without approvals (fast-check, real database)", () => {
  it("holds for random operation sequences", async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(op, { minLength: 1, maxLength: 10 }), async (required, ops) => {
        const agent = await makeAgent(deps, { owner: owner.id });
        const env = ["one", "two", "three"][required - 1]!;
        const intent = await proposeIntent(deps, callAs(agent.actor), {
          action: "deploy",
          target: { repo: "acme/web", ref: "v1", environment: env },
          params: { workflow: "deploy.yml" },
          reason: "property",
        });
        expect(intent.approvals.required).toBe(required);
        for (const o of ops) {
          await Promise.resolve(apply(o, intent.id, intent.payloadHash, agent.actor)).catch(() => undefined);
          await checkInvariant(intent, required);
        }
        await new Promise((r) => setTimeout(r, 20));
        const status = await checkInvariant(intent, required);
        seen.set(status, (seen.get(status) ?? 0) + 1);
      }),
      { numRuns: 40 },
    );
    // not vacuous: the runs reached both executions and refusals
    expect((seen.get("succeeded") ?? 0) + (seen.get("executing") ?? 0)).toBeGreaterThan(0);
    expect((seen.get("pending_approval") ?? 0) + (seen.get("denied") ?? 0) + (seen.get("cancelled") ?? 0) + (seen.get("expired") ?? 0)).toBeGreaterThan(0);
  }, 180_000);
});
