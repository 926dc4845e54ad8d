import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RULES_FILE, renderRules, writeRules, type RulesContent } from "./rules-file";

const content = (at: Date, note = "ship it"): RulesContent => ({
  scopes: [
    {
      scope: "global",
      entries: [{ scope: "global", key: "plan", value: { note }, version: 3, updatedBy: { type: "api_key", id: "gpt" }, updatedAt: "2026-12-06T01:00:00.000Z", expiresAt: "2026-12-06T02:00:00.000Z" }],
    },
  ],
  sessions: [],
  suggestions: { briefing: { text: "One key needs rotating." }, findings: [{ title: "Rotate the staging key", severity: "warning", action: "Create a new key and revoke the old one." }] },
  at,
});

describe("the Cursor rule file", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("is an always-applied project rule with the entries, sessions and suggestions", () => {
    const text = renderRules(content(new Date("2026-12-06T01:02:03Z")));
    expect(text.split("\n").slice(0, 4)).toEqual(["---", expect.stringMatching(/^description: /), "alwaysApply: true", "---"]);
    expect(text).toContain('- `plan` (v3, by gpt, 2026-12-06T01:00:00.000Z): {"note":"ship it"}');
    expect(text).toContain("## Active IDE sessions\n_None._");
    expect(text).toContain("- **warning** Rotate the staging key — Create a new key and revoke the old one.");
    expect(text).toContain("One key needs rotating.");
    expect(renderRules({ ...content(new Date()), suggestions: null })).toContain("_No suggestions from the server today (or the key lacks suggestions:read)._");
  });

  it("is rewritten when its content changes, and left alone when only the time would", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "oo-rules-"));
    dirs.push(root);
    expect(await writeRules(root, content(new Date(1_000)))).toBe(path.join(root, RULES_FILE));
    expect(await writeRules(root, content(new Date(2_000)))).toBeNull();
    expect(await writeRules(root, content(new Date(3_000), "changed"))).not.toBeNull();
    expect(readFileSync(path.join(root, RULES_FILE), "utf8")).toContain("changed");
  });
});
