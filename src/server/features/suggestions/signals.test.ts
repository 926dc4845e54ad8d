import { describe, expect, it } from "vitest";
import type { RunInfo } from "@/server/features/github/schema";
import { workflowsOf } from "./signals";

/** CI runs → per-workflow signals: the last 7 days against the 7 before, decided runs only. */
const NOW = new Date("2026-12-06T12:00:00Z");
let id = 1;
function run(daysAgo: number, conclusion: string | null, seconds: number, workflow = "CI"): RunInfo {
  const created = new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString();
  return {
    id: id++,
    workflow,
    workflowId: 9,
    branch: "main",
    headSha: "a".repeat(40),
    event: "push",
    status: conclusion ? "completed" : "in_progress",
    conclusion,
    runNumber: id,
    attempt: 1,
    createdAt: created,
    startedAt: created,
    updatedAt: created,
    durationSeconds: conclusion ? seconds : null,
    htmlUrl: `https://github.com/acme/web/actions/runs/${id}`,
  };
}

describe("workflowsOf", () => {
  it("splits the window at 7 days and counts decided runs only", () => {
    const runs = [
      run(1, "failure", 600),
      run(2, "success", 500),
      run(3, "cancelled", 10),
      run(4, null, 0),
      run(5, "timed_out", 700),
      run(9, "success", 200),
      run(10, "success", 300),
      run(11, "failure", 250),
    ];
    const [w] = workflowsOf("acme/web", "main", runs, NOW);
    expect(w).toMatchObject({ repo: "acme/web", workflow: "CI", workflowId: 9, branch: "main", runs: 3, failures: 2, medianSeconds: 600, previousRuns: 3, previousMedianSeconds: 250 });
    expect(w!.lastFailureUrl).toBe(runs[0]!.htmlUrl);
  });

  it("gives one signal per workflow", () => {
    const out = workflowsOf("acme/web", "main", [run(1, "success", 10, "CI"), run(1, "success", 10, "Deploy")], NOW);
    expect(out.map((w) => w.workflow).sort()).toEqual(["CI", "Deploy"]);
  });
});
