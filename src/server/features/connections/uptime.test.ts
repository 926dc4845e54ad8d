import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./rollup";
import { coarsen, dayCells, latencySeries, uptimeOver, uptimeWindows, type Bucket } from "./uptime";

/** A controlled clock: "now" is fixed; buckets are placed relative to it. */
const NOW = new Date("2026-11-27T10:30:00.000Z");
const HOUR0 = Date.parse("2026-11-27T10:00:00.000Z");
const b = (t: number, up: number, down: number, latency = 10): Bucket => ({ bucket: new Date(t), up, down, latencySum: up * latency, latencyCount: up, latencyMax: up ? latency : null });

describe("uptimeOver", () => {
  it("is null, not 100 %, when the window has no probes", () => {
    expect(uptimeOver([], 0, 10, 10)).toEqual({ pct: null, probes: 0, down: 0, coverage: 0 });
  });

  it("is the share of up probes, with coverage of the buckets that had data", () => {
    const rows = [b(HOUR0 - 2 * HOUR_MS, 60, 0), b(HOUR0 - HOUR_MS, 45, 15), b(HOUR0, 30, 0)];
    const u = uptimeOver(rows, HOUR0 - 3 * HOUR_MS, HOUR0 + HOUR_MS, 4);
    expect(u.pct).toBeCloseTo((135 / 150) * 100, 3);
    expect(u.probes).toBe(150);
    expect(u.down).toBe(15);
    expect(u.coverage).toBe(0.75); // the hour with no probe is a gap, not an up hour
  });

  it("leaves out buckets outside the window", () => {
    const rows = [b(HOUR0 - 5 * HOUR_MS, 0, 60), b(HOUR0, 60, 0)];
    expect(uptimeOver(rows, HOUR0, HOUR0 + HOUR_MS, 1).pct).toBe(100);
  });
});

describe("uptimeWindows", () => {
  it("24 h from hours, 7/30/90 d from days, each null when empty", () => {
    const hours = [b(HOUR0, 30, 0), b(HOUR0 - 23 * HOUR_MS, 30, 30), b(HOUR0 - 24 * HOUR_MS, 0, 60)];
    const today = Date.parse("2026-11-27T00:00:00.000Z");
    const days = [b(today, 100, 0), b(today - 6 * DAY_MS, 50, 50), b(today - 29 * DAY_MS, 0, 100)];
    const w = uptimeWindows(hours, days, NOW);
    expect(w.h24.pct).toBeCloseTo((60 / 90) * 100, 3); // the bucket 24 h ago is outside
    expect(w.h24.coverage).toBeCloseTo(2 / 24, 4);
    expect(w.d7.pct).toBeCloseTo((150 / 200) * 100, 3);
    expect(w.d30.pct).toBeCloseTo((150 / 300) * 100, 3);
    expect(w.d90.pct).toBeCloseTo((150 / 300) * 100, 3);
    expect(uptimeWindows([], [], NOW).d90.pct).toBeNull();
  });
});

describe("coarsen", () => {
  it("sums hours into UTC days, keeping the worst latency", () => {
    const day = Date.parse("2026-11-26T00:00:00.000Z");
    const out = coarsen([b(day + HOUR_MS, 10, 0, 5), b(day + 23 * HOUR_MS, 5, 5, 50), b(day + DAY_MS, 1, 0, 1)], "day");
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ up: 15, down: 5, latencyCount: 15, latencyMax: 50 });
    expect(out[0]!.latencySum).toBe(10 * 5 + 5 * 50);
  });
});

describe("dayCells", () => {
  it("has one cell per day, oldest first, today last; days without probes are null", () => {
    const today = Date.parse("2026-11-27T00:00:00.000Z");
    const cells = dayCells([b(today, 99, 1), b(today - 2 * DAY_MS, 0, 10)], NOW, 5);
    expect(cells.map((c) => c.day)).toEqual(["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]);
    expect(cells.map((c) => c.pct)).toEqual([null, null, 0, null, 99]);
    expect(cells[4]).toMatchObject({ probes: 100, down: 1 });
  });
});

describe("latencySeries", () => {
  it("averages per step and leaves gaps as null", () => {
    const from = HOUR0;
    const rows = [b(from, 2, 0, 10), b(from + MINUTE_MS, 1, 0, 40), b(from + 25 * MINUTE_MS, 0, 3)];
    const s = latencySeries(rows, from, from + 30 * MINUTE_MS, 10 * MINUTE_MS);
    expect(s).toHaveLength(3);
    expect(s[0]).toMatchObject({ t: "2026-11-27T10:00:00.000Z", avgMs: 20, maxMs: 40, down: 0 });
    expect(s[1]).toMatchObject({ avgMs: null, maxMs: null, down: 0 });
    expect(s[2]).toMatchObject({ avgMs: null, down: 3 });
  });
});
