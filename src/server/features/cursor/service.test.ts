import { describe, expect, it } from "vitest";
import { prepareDiff } from "./service";

const SECRET = `sk-proj-${"a1B2c3D4".repeat(4)}`;
const diffOf = (line: string) =>
  [
    "diff --git a/src/app.ts b/src/app.ts",
    "--- a/src/app.ts",
    "+++ b/src/app.ts",
    "@@ -10,3 +10,4 @@ export function start(port: number) {",
    "   const server = listen(port);",
    line,
    "   return server;",
    " }",
    "",
  ].join("\n");

describe("prepareDiff", () => {
  it("redacts, hashes and finds symbols; the same text sent again (a heartbeat) gets the answer already made", () => {
    const first = prepareDiff(diffOf(`+  const token = "${SECRET}";`))!;
    expect(first.text).not.toContain(SECRET);
    expect(first.info).toMatchObject({ redactions: 1, bytes: Buffer.byteLength(first.text) });
    expect(first.symbols.get("src/app.ts")).toEqual(["start"]);
    expect(prepareDiff(diffOf(`+  const token = "${SECRET}";`))).toBe(first);
  });

  it("prepares a different text afresh, and keeps answering for texts sent before it", () => {
    const a = prepareDiff(diffOf("+  log(port);"))!;
    const b = prepareDiff(diffOf("+  log(server);"))!;
    expect(b).not.toBe(a);
    expect(b.info.sha256).not.toBe(a.info.sha256);
    expect(b.text).toContain("log(server)");
    expect(prepareDiff(diffOf("+  log(port);"))).toBe(a);
  });

  it("forgets the oldest texts beyond the last 16, and prepares them again when sent", () => {
    const oldest = prepareDiff(diffOf("+  step(0);"))!;
    for (let i = 1; i <= 16; i++) prepareDiff(diffOf(`+  step(${i});`));
    const again = prepareDiff(diffOf("+  step(0);"))!;
    expect(again).not.toBe(oldest);
    expect(again).toEqual(oldest);
  });

  it("refuses a diff over 256 KB, and takes none for an empty one", () => {
    expect(() => prepareDiff("x".repeat(262_145))).toThrow(/at most 262144 bytes/);
    expect(prepareDiff("")).toBeNull();
    expect(prepareDiff(undefined)).toBeNull();
  });
});
