import { describe, expect, it } from "vitest";
import { dampStep, INITIAL_ALERT_STATE, type AlertState, type Damping } from "./damping";

const d: Damping = { downAfter: 3, recoverAfter: 3, windowMs: 10 * 60_000 };
const MIN = 60_000;

function run(probes: boolean[]) {
  let state: AlertState = INITIAL_ALERT_STATE;
  const alerts: { minute: number; alert: string }[] = [];
  probes.forEach((ok, minute) => {
    const step = dampStep(state, { at: minute * MIN, ok }, d);
    state = step.state;
    if (step.alert) alerts.push({ minute, alert: step.alert });
  });
  return alerts;
}

describe("flap damping", () => {
  it("tells down after N failures and recovered after M good probes", () => {
    expect(run([true, false, false, true, true])).toEqual([]);
    expect(run([true, false, false, false, false, true, true, true])).toEqual([
      { minute: 3, alert: "down" },
      { minute: 7, alert: "recovered" },
    ]);
  });

  it("a probe alternating every minute gives one down and one recovered per window", () => {
    const alerts = run(Array.from({ length: 61 }, (_, i) => i % 2 === 0));
    expect(alerts.filter((a) => a.alert === "down").map((a) => a.minute)).toEqual([5, 15, 25, 35, 45, 55]);
    expect(alerts.filter((a) => a.alert === "recovered").map((a) => a.minute)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("a down held back by the window goes out on the first probe after it", () => {
    // down at 2, recovered at 5, failing again from 6: the second down waits for minute 12
    const alerts = run([false, false, false, true, true, true, false, false, false, false, false, false, false, false]);
    expect(alerts).toEqual([
      { minute: 2, alert: "down" },
      { minute: 5, alert: "recovered" },
      { minute: 12, alert: "down" },
    ]);
  });
});
