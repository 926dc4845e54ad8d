import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatcher, globToRegex } from "./query";

/** The path filter applied in JavaScript to vector hits: the same language as the SQL regex, without backtracking. */
describe("globMatcher", () => {
  it("agrees with the regex Postgres is given, on generated globs and paths", () => {
    const glob = fc.array(fc.constantFrom("a", "b", ".", "/", "*", "**", "**/", "?"), { maxLength: 8 }).map((parts) => parts.join(""));
    const path = fc.array(fc.constantFrom("a", "b", ".", "/", "ab", "é"), { maxLength: 10 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(glob, path, (g, p) => {
        expect(globMatcher(g)(p), `${g} ~ ${p}`).toBe(new RegExp(globToRegex(g)).test(p));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ["src/**/*.ts", "src/a/b/c.ts", true],
    ["src/**/*.ts", "src/c.ts", true],
    ["src/*.ts", "src/a/c.ts", false],
    ["*.md", "docs/a.md", true],
    ["src/server", "src/server/x.ts", true],
    ["src/server", "src/serverless.ts", false],
    ["a.b?", "a.bc", true],
    ["a.b?", "axbc", false],
  ] as const)("%s ~ %s → %s", (g, p, ok) => expect(globMatcher(g)(p)).toBe(ok));

  it("answers `**` × 149 then a miss at once (the regex form backtracks for ages)", () => {
    const hostile = `${"**".repeat(149)}Z`;
    const path = `${"a/".repeat(100)}${"b".repeat(200)}`;
    expect(globMatcher(hostile)(path)).toBe(false);
    expect(globMatcher(hostile)(`${path}Z`)).toBe(true);
  });
});
