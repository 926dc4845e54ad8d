import { describe, expect, it } from "vitest";
import { fitToBudget } from "./paging";

describe("fitToBudget", () => {
  it("keeps whole items until the next one would pass the budget", () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ i, blob: "x".repeat(3_000) }));
    const { items: page, cut } = fitToBudget(items);
    expect(cut).toBe(true);
    expect(page.length).toBeGreaterThan(20);
    expect(JSON.stringify({ items: page, nextCursor: 1 }).length).toBeLessThan(100_000);
    expect(page).toEqual(items.slice(0, page.length));
  });

  it("never returns an empty page, and does not cut what fits", () => {
    expect(fitToBudget([{ big: "y".repeat(200_000) }]).items).toHaveLength(1);
    expect(fitToBudget([1, 2, 3])).toEqual({ items: [1, 2, 3], cut: false });
  });
});
