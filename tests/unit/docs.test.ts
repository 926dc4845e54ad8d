import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envComments, envNames, GENERATED } from "../../scripts/docs";

/** The docs that have a source of truth are generated from it, and the repository explains itself. */
const tracked = () => execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean);

describe("generated docs", () => {
  it.each(Object.entries(GENERATED))("%s matches its source (run `npm run docs`)", (file, render) => {
    expect(readFileSync(file, "utf8")).toBe(render());
  });

  it("every configuration variable has its doc comment in src/env.ts", () => {
    const comments = envComments();
    expect(envNames().filter((n) => !comments.get(n))).toEqual([]);
  });

  it(".env.example lists exactly the variables of the configuration schema", () => {
    const example = [...readFileSync(".env.example", "utf8").matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    const schema = envNames().filter((n) => n !== "NODE_ENV");
    expect([...new Set(example)].sort()).toEqual([...schema].sort());
  });

  it("every environment variable the app reads is in the configuration schema", () => {
    // set by the platform or the tooling, not by whoever configures the app
    const platform = new Set(["NODE_ENV", "NEXT_RUNTIME", "VERCEL", "PORT", "ORCHESTRATOR_CWD"]);
    const read = new Set<string>();
    for (const file of tracked().filter((f) => /^(src|bin)\/.*\.(ts|tsx|mjs)$/.test(f) && !/\.test\.ts$/.test(f))) {
      for (const m of readFileSync(file, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
    }
    const known = new Set(envNames());
    expect([...read].filter((n) => !known.has(n) && !platform.has(n)).sort()).toEqual([]);
  });
});

describe("the repository explains itself", () => {
  it("names no path outside it, nor notes it does not hold", () => {
    const outside = /\.\.\/shared\b|\/work\/(main|wt|shared)\b|\b(DESIGN|STYLE)\.md\b/;
    const hits = tracked()
      .filter((f) => !f.startsWith("package-lock") && !f.endsWith(".png") && f !== "tests/unit/docs.test.ts")
      .filter((f) => outside.test(readFileSync(f, "utf8")));
    expect(hits).toEqual([]);
  });
});
