import { describe, expect, it } from "vitest";
import { mapConcurrent } from "./concurrency";

describe("mapConcurrent", () => {
  it("keeps the items' order and never runs more than the limit at once", async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return `${i}:${n * 10}`;
    });
    expect(out).toEqual(["0:50", "1:10", "2:40", "3:20", "4:30", "5:0"]);
    expect(most).toBe(2);
  });

  it("answers an empty list without calling fn, and rejects with the first failure", async () => {
    expect(await mapConcurrent([], 4, () => Promise.reject(new Error("never")))).toEqual([]);
    await expect(mapConcurrent([1, 2, 3], 3, async (n) => (n === 2 ? Promise.reject(new Error("two")) : n))).rejects.toThrow("two");
  });
});
