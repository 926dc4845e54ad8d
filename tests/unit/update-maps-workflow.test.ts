import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * .github/workflows/update-maps.yml, checked without actionlint (not packaged here): it parses as a
 * workflow, its schedule is a valid cron, its secrets are the two it needs, its shell steps pass
 * `bash -n`, and it fetches and commits exactly the two map files.
 */
interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: { schedule: { cron: string }[]; workflow_dispatch: unknown };
  permissions: Record<string, string>;
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
}

const file = path.join(process.cwd(), ".github/workflows/update-maps.yml");
const text = readFileSync(file, "utf8");
const workflow = parse(text) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

describe("update-maps workflow", () => {
  it("runs on a valid schedule and by hand, and may push", () => {
    expect(workflow.on.schedule.length).toBeGreaterThan(0);
    for (const { cron } of workflow.on.schedule) {
      expect(cron.trim().split(/\s+/)).toHaveLength(5);
      expect(() => CronExpressionParser.parse(cron, { tz: "UTC" })).not.toThrow();
    }
    expect("workflow_dispatch" in workflow.on).toBe(true);
    expect(workflow.permissions.contents).toBe("write");
    for (const job of Object.values(workflow.jobs)) expect(job["runs-on"]).toBeTruthy();
  });

  it("uses only the ORCHESTRATOR_URL and ORCHESTRATOR_API_KEY secrets, through env (never inline in a script)", () => {
    const expressions = [...text.matchAll(/\$\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);
    expect(new Set(expressions)).toEqual(new Set(["secrets.ORCHESTRATOR_URL", "secrets.ORCHESTRATOR_API_KEY"]));
    for (const s of steps) expect(s.run ?? "").not.toMatch(/\$\{\{/);
  });

  it("has shell steps that bash parses", () => {
    const scripts = steps.map((s) => s.run).filter((r): r is string => Boolean(r));
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const script of scripts) expect(() => execFileSync("bash", ["-n"], { input: script })).not.toThrow();
  });

  it("fetches both maps from the orchestrator and commits exactly them when they changed", () => {
    const all = steps.map((s) => s.run ?? "").join("\n");
    expect(all).toContain("/maps/${file}");
    expect(all).toMatch(/for file in connections\.json suggestions\.json/);
    expect(all).toContain("/ai/suggestions/daily");
    expect(all).toContain("git add maps/connections.json maps/suggestions.json");
    expect(all).toContain("git diff --cached --quiet");
    expect(steps.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(true);
  });
});
