import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { callAs, caller, makeAgent, makeUser, prodDeploy, waitForStatus } from "../../../../tests/support/intents";
import type { Deps } from "@/server/deps";
import { proposeIntent } from "./service";

/**
 * 20 different approvers approve one intent that needs one approval, all at once: exactly one
 * succeeds, the other 19 get 409, and exactly one execution starts.
 */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

describe("the 20-way approval race", () => {
  it("one approval wins, 19 × 409, one execution", async () => {
    const approvers = await Promise.all(Array.from({ length: 20 }, (_, i) => makeUser(deps, i % 2 ? "approver" : "admin")));
    const agent = await makeAgent(deps);
    const intent = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    expect(intent.approvals.required).toBe(1);

    const results = await Promise.allSettled(approvers.map((u) => caller(deps, u).intents.approve({ id: intent.id, comment: "ship it", payloadHash: intent.payloadHash })));
    const ok = results.filter((r) => r.status === "fulfilled");
    const codes = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => (r.reason as { code?: string }).code);
    expect(ok).toHaveLength(1);
    expect(codes).toEqual(Array(19).fill("CONFLICT"));

    expect(await waitForStatus(deps, intent.id, ["succeeded", "failed"])).toBe("succeeded");
    const approvals = await deps.db.approval.count({ where: { intentId: intent.id } });
    expect(approvals).toBe(1);
    const events = await deps.db.auditEvent.groupBy({ by: ["action"], where: { target: intent.id }, _count: true });
    const count = Object.fromEntries(events.map((e) => [e.action, e._count]));
    expect(count).toMatchObject({ "intents.approve": 1, "intents.approved": 1, "intents.execute": 1, "intents.succeeded": 1 });
    const row = await deps.db.intent.findUniqueOrThrow({ where: { id: intent.id } });
    expect((row.result as { dryRun: boolean; requests: unknown[] }).requests).toHaveLength(1);
  });
});
