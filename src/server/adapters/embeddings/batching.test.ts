import { describe, expect, it } from "vitest";
import { estimateTokens, OPENAI_LIMITS, planBatches, truncateForEmbedding } from "./batching";

describe("embedding batches", () => {
  it("splits 5,000 inputs into requests of at most 2,048 inputs, covering every input once in order", () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `function f${i}() { return ${i}; }`);
    const batches = planBatches(texts, OPENAI_LIMITS);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.every(([s, e]) => e - s <= 2048 && e > s)).toBe(true);
    expect(batches.flatMap(([s, e]) => Array.from({ length: e - s }, (_, k) => s + k))).toEqual(texts.map((_, i) => i));
  });

  it("keeps each request under the token budget", () => {
    const texts = Array.from({ length: 200 }, () => "x".repeat(24_000)); // ~8,000 tokens each
    const batches = planBatches(texts, OPENAI_LIMITS);
    for (const [s, e] of batches) {
      const tokens = texts.slice(s, e).reduce((n, t) => n + estimateTokens(t), 0);
      expect(tokens).toBeLessThanOrEqual(OPENAI_LIMITS.maxTokensPerRequest);
    }
    expect(batches.length).toBeGreaterThanOrEqual(6);
  });

  it("truncates an input to the per-input limit without splitting a surrogate pair, and never sends an empty input", () => {
    const long = "a".repeat(8191 * 3 - 1) + "😀".repeat(10);
    const cut = truncateForEmbedding(long, 8191);
    expect(estimateTokens(cut)).toBeLessThanOrEqual(8191);
    expect(cut.endsWith("\ud83d")).toBe(false);
    expect(truncateForEmbedding("", 8191)).toBe(" ");
    expect(truncateForEmbedding("short", 8191)).toBe("short");
  });
});
