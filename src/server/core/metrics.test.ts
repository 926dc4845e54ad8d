import { describe, expect, it } from "vitest";
import { bucketIndex, LATENCY_BOUNDS, mergeHistograms, quantile, type LatencyHistogram } from "./metrics";

function histogramOf(values: number[]): LatencyHistogram {
  const h: LatencyHistogram = {};
  for (const v of values) h[bucketIndex(v)] = (h[bucketIndex(v)] ?? 0) + 1;
  return h;
}

function exact(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
}

describe("latency histogram", () => {
  it("places a value in the first bucket whose bound is at least it", () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(LATENCY_BOUNDS[0]!)).toBe(0);
    expect(bucketIndex(LATENCY_BOUNDS[0]! + 0.001)).toBe(1);
    expect(bucketIndex(1e9)).toBe(LATENCY_BOUNDS.length);
  });

  it("estimates percentiles within a bucket's width (20 %) of the exact value", () => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const values = Array.from({ length: 5000 }, () => Math.exp(rand() * 6)); // 1 ms .. 400 ms, log-uniform
    const h = histogramOf(values);
    for (const q of [0.5, 0.95, 0.99]) {
      const est = quantile(h, q, Math.max(...values))!;
      const truth = exact(values, q);
      expect(Math.abs(est - truth) / truth).toBeLessThan(0.2);
    }
  });

  it("is null for no samples and never above the observed maximum", () => {
    expect(quantile({}, 0.5)).toBeNull();
    expect(quantile(histogramOf([10, 10, 10]), 0.99, 10)).toBeLessThanOrEqual(10);
  });

  it("merges histograms by adding counts", () => {
    expect(mergeHistograms({ "1": 2, "5": 1 }, { "5": 3, "9": 1 })).toEqual({ "1": 2, "5": 4, "9": 1 });
  });
});
