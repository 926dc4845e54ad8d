import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff";
import { emailsFor } from "./dispatch";
import { quietUntil, targetsFor, type Route } from "./routing";

const route = (over: Partial<Route>): Route => ({ id: "r", eventType: "*", channel: "slack", recipients: [], minSeverity: "info", quietStart: null, quietEnd: null, enabled: true, ...over });
const all = new Set(["slack", "email", "webhook"] as const);

describe("quiet hours (UTC)", () => {
  it("hold back until the window ends, across midnight too", () => {
    expect(quietUntil(new Date("2026-12-06T23:30:00Z"), "22:00", "07:00")).toEqual(new Date("2026-12-07T07:00:00Z"));
    expect(quietUntil(new Date("2026-12-06T03:00:00Z"), "22:00", "07:00")).toEqual(new Date("2026-12-06T07:00:00Z"));
    expect(quietUntil(new Date("2026-12-06T12:00:00Z"), "22:00", "07:00")).toBeNull();
    expect(quietUntil(new Date("2026-12-06T12:30:00Z"), "12:00", "13:00")).toEqual(new Date("2026-12-06T13:00:00Z"));
    expect(quietUntil(new Date("2026-12-06T13:00:00Z"), "12:00", "13:00")).toBeNull();
    expect(quietUntil(new Date("2026-12-06T13:00:00Z"), "08:00", "08:00")).toBeNull();
  });
});

describe("targets of an event", () => {
  const now = new Date("2026-12-06T23:00:00Z");
  it("follow type, severity, enabled flag and configured channels; critical ignores quiet hours", () => {
    const routes = [
      route({ eventType: "job.late", channel: "slack", quietStart: "22:00", quietEnd: "06:00" }),
      route({ eventType: "job.late", channel: "email", recipients: ["role:admin"], minSeverity: "critical" }),
      route({ eventType: "*", channel: "webhook" }),
      route({ eventType: "connection.down", channel: "slack" }),
      route({ eventType: "job.late", channel: "slack", enabled: false }),
    ];
    expect(targetsFor(routes, { type: "job.late", severity: "warning" }, all, now)).toEqual([
      { channel: "slack", recipients: [], notBefore: new Date("2026-12-07T06:00:00Z") },
      { channel: "webhook", recipients: [], notBefore: null },
    ]);
    expect(targetsFor(routes, { type: "job.late", severity: "critical" }, new Set(["slack", "email"] as const), now).map((t) => [t.channel, t.notBefore])).toEqual([
      ["slack", null],
      ["email", null],
    ]);
  });
});

describe("email recipients", () => {
  const people = [
    { id: "u1", email: "owner@x", role: "approver" },
    { id: "u2", email: "req@x", role: "admin" },
    { id: "u3", email: "appr@x", role: "approver" },
    { id: "u4", email: "admin@x", role: "admin" },
    { id: "u5", email: "op@x", role: "operator" },
  ];
  const event = { id: "e", type: "intent.approval_requested", severity: "warning" as const, payload: { approverRoles: ["approver", "admin"], requesterUserId: "u2", clientId: "c1" } };
  it("approvers are the users of the policy's roles, never the requester nor the requesting client's owner", () => {
    expect(emailsFor(["approvers"], event, people, new Map([["c1", { ownerUserId: "u1", createdBy: "cli" }]]))).toEqual(["admin@x", "appr@x"]);
    expect(emailsFor(["approvers"], event, people, new Map([["c1", { ownerUserId: null, createdBy: "user:u3" }]]))).toEqual(["admin@x", "owner@x"]);
  });
  it("roles and literal addresses, each address once", () => {
    expect(emailsFor(["role:operator", "role:admin", "op@x", "ext@y"], event, people, new Map())).toEqual(["admin@x", "ext@y", "op@x", "req@x"]);
  });
});

describe("retry delay", () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };
  it("doubles per try between half and all of the step, capped, and never undercuts Retry-After", () => {
    expect(retryDelayMs(1, null, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, null, policy, () => 1)).toBe(1_000);
    expect(retryDelayMs(4, null, policy, () => 1)).toBe(8_000);
    expect(retryDelayMs(20, null, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(1, 2_000, policy, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(1, 7 * 24 * 3_600_000, policy, () => 0.5)).toBe(24 * 3_600_000);
  });
});
