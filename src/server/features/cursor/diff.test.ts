import { describe, expect, it } from "vitest";
import { parseDiff, touchedSymbols } from "./diff";

const diff = (file: string, body: string[], header = "@@ -1,3 +1,4 @@") => [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, header, ...body, ""].join("\n");

describe("touchedSymbols", () => {
  it("names the declaration whose lines changed, and the enclosing one from the hunk header above the first declaration", () => {
    const text = diff("src/x.ts", ["   const a = 1;", "+  b++;", " }", " ", " export function second() {", "-  return 1;", "+  return 2;", " }"], "@@ -10,7 +10,7 @@ export function first() {");
    expect(touchedSymbols(text).get("src/x.ts")).toEqual(["first", "second"]);
  });

  it("ignores declarations in context lines that did not change", () => {
    const text = diff("a.py", ["+import os", " ", " def untouched():", "     pass"], "@@ -1,3 +1,4 @@");
    expect(touchedSymbols(text).get("a.py")).toEqual([]);
  });

  it("reads a deleted file's declarations from its removed lines, and new files from added ones", () => {
    const text = [
      "diff --git a/old.go b/old.go",
      "deleted file mode 100644",
      "--- a/old.go",
      "+++ /dev/null",
      "@@ -1,2 +0,0 @@",
      "-func Gone() {",
      "-}",
      "diff --git a/new.rs b/new.rs",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/new.rs",
      "@@ -0,0 +1,2 @@",
      "+pub fn fresh() {",
      "+}",
      "",
    ].join("\n");
    expect(Object.fromEntries(touchedSymbols(text))).toEqual({ "old.go": ["Gone"], "new.rs": ["fresh"] });
    expect(parseDiff(text).map((f) => [f.path, f.deleted])).toEqual([
      ["old.go", true],
      ["new.rs", false],
    ]);
  });

  it("lists files of languages without declaration rules with no symbols", () => {
    expect(touchedSymbols(diff("README.md", ["+# Title"])).get("README.md")).toEqual([]);
  });
});
