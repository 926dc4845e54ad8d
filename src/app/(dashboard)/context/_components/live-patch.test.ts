import { describe, expect, it } from "vitest";
import { applyLiveEvent } from "./live-patch";

const e = (key: string, version = 1) => ({ key, version });
const pages = (...p: [string[], string | null][]) => ({ pages: p.map(([keys, nextCursor]) => ({ items: keys.map((k) => e(k)), nextCursor })), pageParams: p.map(() => null) });
const keys = (d: ReturnType<typeof pages> | null | undefined) => d?.pages.map((p) => p.items.map((i) => `${i.key}@${i.version}`));

describe("applyLiveEvent", () => {
  it("inserts a new key in order, replaces a known one, removes a deleted one", () => {
    const d = pages([["a", "c"], null]);
    expect(keys(applyLiveEvent(d, { type: "put", key: "b", entry: e("b") }))).toEqual([["a@1", "b@1", "c@1"]]);
    expect(keys(applyLiveEvent(d, { type: "put", key: "c", entry: e("c", 2) }))).toEqual([["a@1", "c@2"]]);
    expect(keys(applyLiveEvent(d, { type: "delete", key: "a" }))).toEqual([["c@1"]]);
  });

  it("keeps a newer version shown when an older event arrives late", () => {
    const d = { pages: [{ items: [e("a", 5)], nextCursor: null }], pageParams: [null] };
    expect(keys(applyLiveEvent(d, { type: "put", key: "a", entry: e("a", 4) }))).toEqual([["a@5"]]);
  });

  it("leaves keys beyond the loaded pages and outside the prefix alone", () => {
    const d = pages([["a", "c"], "c"]);
    expect(keys(applyLiveEvent(d, { type: "put", key: "z", entry: e("z") }))).toEqual([["a@1", "c@1"]]);
    expect(keys(applyLiveEvent(d, { type: "put", key: "b", entry: e("b") }))).toEqual([["a@1", "b@1", "c@1"]]);
    expect(keys(applyLiveEvent(pages([[], null]), { type: "put", key: "x", entry: e("x") }, "notes/"))).toEqual([[]]);
  });

  it("asks for a refetch when a put carries no entry", () => {
    expect(applyLiveEvent(pages([["a"], null]), { type: "put", key: "a" })).toBeNull();
    expect(applyLiveEvent(undefined, { type: "delete", key: "a" })).toBeUndefined();
  });
});
