import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

describe("GroupCommit", () => {
  it("joins the calls of one turn into one statement and answers each with its own result", async () => {
    const statements: number[][] = [];
    const group = new GroupCommit(async (items: number[]) => {
      statements.push(items);
      return items.map((n) => n * 10);
    });
    expect(await Promise.all([1, 2, 3].map((n) => group.add(n)))).toEqual([10, 20, 30]);
    expect(statements).toEqual([[1, 2, 3]]);
  });

  it("puts at most one item of a key in a statement, keeping each key's order", async () => {
    const statements: string[][] = [];
    const group = new GroupCommit(
      async (items: string[]) => {
        statements.push(items);
        return items;
      },
      { keyOf: (item) => item[0]! },
    );
    await Promise.all(["a1", "b1", "a2", "a3", "b2"].map((item) => group.add(item)));
    expect(statements).toEqual([["a1", "b1"], ["a2", "b2"], ["a3"]]);
  });

  it("when a statement of several fails, retries each alone: only the bad one fails", async () => {
    const group = new GroupCommit(async (items: number[]) => {
      if (items.includes(2)) throw new Error("refused");
      return items;
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => group.add(n)));
    expect(results).toEqual([
      { status: "fulfilled", value: 1 },
      { status: "rejected", reason: new Error("refused") },
      { status: "fulfilled", value: 3 },
    ]);
  });
});
