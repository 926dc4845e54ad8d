import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifyDeps } from "../../../../tests/support/notify";
import { systemActor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import { applyStates } from "@/server/features/connections/store";
import type { ProbeRecord } from "@/server/features/connections/runner";

/** Flap damping through the probe run's own state update, on the real Postgres. */
let deps: Deps;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ deps, drop } = await notifyDeps({}));
});
afterAll(async () => drop());

const call = { actor: systemActor("probe"), requestId: "flap-test", surface: "system" as const };
const START = Date.parse("2026-12-01T00:00:00Z");
const probe = (id: string, minute: number, up: boolean): ProbeRecord => ({
  id,
  kind: "http",
  at: new Date(START + minute * 60_000),
  state: up ? "up" : "down",
  latencyMs: up ? 12 : null,
  error: up ? null : "connect ECONNREFUSED",
  details: null,
});

async function alertsOf(id: string) {
  const rows = await deps.db.notificationOutbox.findMany({ where: { payload: { path: ["connectionId"], equals: id } }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => r.type);
}

describe("connection alerts", () => {
  it("a probe alternating up and down every minute sends one down and one recovered per damping window", async () => {
    const damping = { downAfter: 3, recoverAfter: 3, windowMs: 10 * 60_000 };
    for (let minute = 0; minute <= 60; minute++) await applyStates(deps.db, deps.audit, call, [probe("flappy", minute, minute % 2 === 0)], damping);
    const alerts = await alertsOf("flappy");
    // one pair per 10-minute window from the first down at minute 5 (the probe-level audit still records every flip)
    expect(alerts).toEqual(Array(6).fill(["connection.down", "connection.recovered"]).flat());
    const flips = await deps.db.auditEvent.count({ where: { target: "flappy", action: { in: ["connection.down", "connection.up"] } } });
    expect(flips).toBe(60);
  });

  it("a steady outage is told once after N failed probes, its recovery after M good ones", async () => {
    const damping = { downAfter: 3, recoverAfter: 2, windowMs: 15 * 60_000 };
    const states = [true, false, false, true, false, false, false, false, false, true, true, true];
    for (let minute = 0; minute < states.length; minute++) {
      await applyStates(deps.db, deps.audit, call, [probe("steady", minute, states[minute]!)], damping);
      if (minute === 3) expect(await alertsOf("steady")).toEqual([]);
    }
    expect(await alertsOf("steady")).toEqual(["connection.down", "connection.recovered"]);
    const [down] = await deps.db.notificationOutbox.findMany({ where: { type: "connection.down", payload: { path: ["connectionId"], equals: "steady" } } });
    expect(down!.payload).toMatchObject({ kind: "http", error: "connect ECONNREFUSED", failedProbes: 3, windowMinutes: 15 });
  });
});
