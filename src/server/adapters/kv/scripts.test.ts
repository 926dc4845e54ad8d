import { describe, expect, it } from "vitest";
import { lexBounds, parseSetVersionedReply } from "./scripts";

describe("kv scripts helpers", () => {
  it("lexBounds starts at the prefix or after the cursor, whichever is later, and stays within the prefix", () => {
    expect(lexBounds()).toEqual(["[", "+"]);
    expect(lexBounds("b/")).toEqual(["[b/", "[b/\uffff"]);
    expect(lexBounds("b/", "b/1")).toEqual(["(b/1", "[b/\uffff"]);
    expect(lexBounds("b/", "a")).toEqual(["[b/", "[b/\uffff"]);
    expect(lexBounds("", "x")).toEqual(["(x", "+"]);
  });

  it("parses the versioned-write reply, with or without the value it replaced", () => {
    expect(parseSetVersionedReply([1, 1, 0, null])).toEqual({ written: true, version: 1, previous: null });
    expect(parseSetVersionedReply([1, 1, 0])).toEqual({ written: true, version: 1, previous: null });
    expect(parseSetVersionedReply([0, 4, 4, "v"])).toEqual({ written: false, version: 4, previous: { version: 4, value: "v" } });
    expect(() => parseSetVersionedReply("OK")).toThrow(/unexpected reply/);
  });
});
