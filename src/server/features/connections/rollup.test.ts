import { describe, expect, it } from "vitest";
import { bucketStart, HOUR_MS, MINUTE_MS, pruneCutoffs, rollupDeltas } from "./rollup";

const T0 = Date.parse("2026-11-27T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);

describe("bucketStart", () => {
  it("floors to the minute, hour and UTC day", () => {
    const t = Date.parse("2026-11-27T10:17:42.123Z");
    expect(new Date(bucketStart(t, "minute")).toISOString()).toBe("2026-11-27T10:17:00.000Z");
    expect(new Date(bucketStart(t, "hour")).toISOString()).toBe("2026-11-27T10:00:00.000Z");
    expect(new Date(bucketStart(t, "day")).toISOString()).toBe("2026-11-27T00:00:00.000Z");
  });
});

describe("rollupDeltas", () => {
  it("counts up and down per minute and per hour; latency only from up probes", () => {
    const deltas = rollupDeltas([
      { connectionId: "a", at: at(5_000), state: "up", latencyMs: 10 },
      { connectionId: "a", at: at(50_000), state: "up", latencyMs: 30 },
      { connectionId: "a", at: at(MINUTE_MS + 1), state: "down", latencyMs: 5_000 },
      { connectionId: "b", at: at(0), state: "up", latencyMs: 2 },
    ]);
    const find = (id: string, res: string, t: number) => deltas.find((d) => d.connectionId === id && d.resolution === res && d.bucket.getTime() === t);
    expect(find("a", "minute", T0)).toMatchObject({ up: 2, down: 0, latencySum: 40, latencyCount: 2, latencyMax: 30 });
    expect(find("a", "minute", T0 + MINUTE_MS)).toMatchObject({ up: 0, down: 1, latencySum: 0, latencyCount: 0, latencyMax: null });
    expect(find("a", "hour", T0)).toMatchObject({ up: 2, down: 1, latencySum: 40, latencyCount: 2, latencyMax: 30 });
    expect(find("b", "hour", T0)).toMatchObject({ up: 1, down: 0 });
    expect(deltas).toHaveLength(5);
  });

  it("ignores probes that are neither up nor down (configured-only, not configured)", () => {
    expect(
      rollupDeltas([
        { connectionId: "slack", at: at(0), state: "unchecked", latencyMs: 0 },
        { connectionId: "x", at: at(0), state: "not_configured", latencyMs: null },
      ]),
    ).toEqual([]);
  });

  it("splits probes on both sides of an hour boundary", () => {
    const deltas = rollupDeltas([
      { connectionId: "a", at: at(HOUR_MS - 1), state: "up", latencyMs: 1 },
      { connectionId: "a", at: at(HOUR_MS), state: "up", latencyMs: 1 },
    ]);
    expect(deltas.filter((d) => d.resolution === "hour").map((d) => d.bucket.getTime())).toEqual([T0, T0 + HOUR_MS]);
  });
});

describe("pruneCutoffs", () => {
  it("keeps raw results and minute buckets a day, hour buckets 90 days", () => {
    const now = new Date("2026-11-27T10:17:42.000Z");
    const c = pruneCutoffs(now);
    expect(c.raw.toISOString()).toBe("2026-11-26T10:17:42.000Z");
    expect(c.minute.toISOString()).toBe("2026-11-26T10:17:00.000Z");
    expect(c.hour.toISOString()).toBe("2026-08-29T10:00:00.000Z");
  });
});
