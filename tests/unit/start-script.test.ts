import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** The benches' harness (plain JavaScript, untyped here). */
const benchSupport = "../../bench/support.mjs";

/**
 * `npm start` runs the server with a young generation twice V8's default (16 MB a semi-space on
 * 64-bit): a search allocates hundreds of kB that live across its statements' awaits, and with ten in
 * flight the default spent about a sixth of a search's CPU copying them between semi-spaces. 64 MB saved
 * a little more CPU but commits 64 MB more on a 512 MB instance.
 */
describe("npm start", () => {
  const start = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts.start!;

  it("runs next start under Node with a 32 MB semi-space", () => {
    expect(start).toBe("node --max-semi-space-size=32 node_modules/next/dist/bin/next start");
  });
  it("is what the benches start the server with", async () => {
    const { START_NODE_FLAGS } = (await import(benchSupport)) as { START_NODE_FLAGS: string[] };
    expect(START_NODE_FLAGS).toEqual(["--max-semi-space-size=32"]);
  });
});
