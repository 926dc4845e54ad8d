import { describe, expect, it } from "vitest";
import { bucketIndex } from "@/server/core/metrics";
import { summarize, type MetricRow } from "./stats";

const row = (procedure: string, latencies: number[], errors = 0, serverErrors = 0): MetricRow => {
  const histogram: Record<string, number> = {};
  for (const l of latencies) histogram[bucketIndex(l)] = (histogram[bucketIndex(l)] ?? 0) + 1;
  return { procedure, count: latencies.length, errors, serverErrors, latencySum: latencies.reduce((a, b) => a + b, 0), latencyMax: Math.max(...latencies), histogram };
};

describe("summarize", () => {
  it("merges rows of several minutes and instances per procedure", () => {
    const out = summarize([row("status.get", [10, 10, 10, 10], 1), row("status.get", [20, 20, 20, 200], 1, 1), row("audit.list", [5])]);
    expect(out.map((p) => p.procedure)).toEqual(["status.get", "audit.list"]);
    const s = out[0]!;
    expect(s).toMatchObject({ count: 8, errors: 2, serverErrors: 1, errorRate: 0.25, maxMs: 200 });
    expect(s.avgMs).toBe(37.5);
    expect(s.p50Ms!).toBeGreaterThan(8);
    expect(s.p50Ms!).toBeLessThanOrEqual(12);
    expect(s.p99Ms!).toBeGreaterThan(160);
    expect(s.p99Ms!).toBeLessThanOrEqual(200);
  });

  it("returns nothing for no calls", () => {
    expect(summarize([])).toEqual([]);
  });
});
