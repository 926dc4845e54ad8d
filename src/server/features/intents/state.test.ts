import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canTransition, STATUSES, tally, TERMINAL, TRANSITIONS, type IntentStatus } from "./state";

/**
 * The state machine as the service drives it: a status changes only through canTransition, and
 * pending → approved only when the tally says so. Random operation sequences (legal or not) never
 * reach executing without the required approvals from distinct eligible people and no denial.
 */
type Op = { kind: "decide"; user: number; decision: "approve" | "deny"; eligible: boolean } | { kind: "transition"; to: IntentStatus } | { kind: "expire" } | { kind: "cancel" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("decide" as const), user: fc.integer({ min: 0, max: 5 }), decision: fc.constantFrom("approve" as const, "deny" as const), eligible: fc.boolean() }),
  fc.record({ kind: fc.constant("transition" as const), to: fc.constantFrom(...STATUSES) }),
  fc.constant({ kind: "expire" as const }),
  fc.constant({ kind: "cancel" as const }),
);

function run(required: number, ops: Op[]) {
  let status: IntentStatus = "pending_approval";
  const decisions = new Map<number, "approve" | "deny">();
  const history: { status: IntentStatus; approvals: number; denials: number }[] = [];
  const move = (to: IntentStatus, guard = true) => {
    if (guard && canTransition(status, to)) status = to;
  };
  for (const o of ops) {
    if (o.kind === "decide") {
      // the service refuses the ineligible, the non-pending and a second decision by the same person
      if (!o.eligible || status !== "pending_approval" || decisions.has(o.user)) continue;
      decisions.set(o.user, o.decision);
      const next = tally([...decisions.values()], required);
      if (next !== "pending_approval") move(next);
    } else if (o.kind === "transition") {
      // a direct attempt: approved is only reachable through a tally, like the database trigger demands
      const approved = tally([...decisions.values()], required) === "approved";
      if (o.to === "approved" && !approved) continue;
      if (o.to === "denied" && ![...decisions.values()].includes("deny")) continue;
      move(o.to);
    } else if (o.kind === "expire") move("expired");
    else move("cancelled");
    const values = [...decisions.values()];
    history.push({ status, approvals: values.filter((d) => d === "approve").length, denials: values.filter((d) => d === "deny").length });
  }
  return history;
}

describe("intent state machine", () => {
  it("terminal states have no way out; executing is reachable only from approved", () => {
    expect(TERMINAL).toEqual(["succeeded", "failed", "denied", "expired", "cancelled"]);
    for (const s of STATUSES) expect(canTransition(s, "executing")).toBe(s === "approved");
    for (const s of STATUSES) expect(TRANSITIONS[s].includes("approved")).toBe(s === "pending_approval");
  });

  it("no sequence of operations reaches executing without the required approvals and no denial", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 40 }), (required, ops) => {
        for (const h of run(required, ops)) {
          if (h.status === "executing" || h.status === "succeeded" || h.status === "failed" || h.status === "approved") {
            expect(h.approvals).toBeGreaterThanOrEqual(required);
            expect(h.denials).toBe(0);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("tally: one denial denies, enough approvals approve", () => {
    expect(tally([], 1)).toBe("pending_approval");
    expect(tally(["approve"], 2)).toBe("pending_approval");
    expect(tally(["approve", "approve"], 2)).toBe("approved");
    expect(tally(["approve", "deny", "approve"], 2)).toBe("denied");
  });
});
