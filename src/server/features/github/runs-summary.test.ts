import { describe, expect, it } from "vitest";
import { parseLog } from "./local";
import { median, runDuration, summarizeRuns } from "./runs-summary";
import type { RunInfo } from "./schema";

const run = (workflow: string, status: string, conclusion: string | null, durationSeconds: number | null): RunInfo => ({
  id: 1,
  workflow,
  workflowId: 1,
  branch: "main",
  headSha: "a".repeat(40),
  event: "push",
  status,
  conclusion,
  runNumber: 1,
  attempt: 1,
  createdAt: "2026-11-01T00:00:00Z",
  startedAt: "2026-11-01T00:00:00Z",
  updatedAt: "2026-11-01T00:01:00Z",
  durationSeconds,
  htmlUrl: "https://github.com/x",
});

describe("runs summary", () => {
  it("failure rate counts failure, timed_out and startup_failure over decided runs; median over completed", () => {
    const summary = summarizeRuns([
      run("CI", "completed", "success", 100),
      run("CI", "completed", "failure", 300),
      run("CI", "completed", "timed_out", 200),
      run("CI", "completed", "cancelled", 10),
      run("CI", "in_progress", null, null),
      run("Lint", "queued", null, null),
    ]);
    expect(summary).toEqual([
      { workflow: "CI", runs: 5, completed: 4, failures: 2, failureRate: 0.667, medianDurationSeconds: 150 },
      { workflow: "Lint", runs: 1, completed: 0, failures: 0, failureRate: null, medianDurationSeconds: null },
    ]);
  });

  it("median of odd, even and empty lists; durations only for completed runs", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(runDuration("completed", "2026-11-01T00:00:00Z", "2026-11-01T00:02:30Z")).toBe(150);
    expect(runDuration("in_progress", "2026-11-01T00:00:00Z", "2026-11-01T00:02:30Z")).toBeNull();
    expect(runDuration("completed", null, "2026-11-01T00:02:30Z")).toBeNull();
  });
});

describe("git log --numstat parsing", () => {
  it("counts files, additions and deletions; binary files count as changed with no lines", () => {
    const F = "\x1f";
    const out =
      `\x1e${"a".repeat(40)}${F}Ann${F}ann@example.com${F}2026-11-02T10:00:00+01:00${F}subject\n\nbody line${F}\n\n3\t1\tsrc/a.ts\n-\t-\tlogo.png\n0\t5\tdocs/{old => new}.md\n` +
      `\x1e${"b".repeat(40)}${F}Bob${F}${F}2026-11-01T10:00:00Z${F}first${F}\n`;
    expect(parseLog(out)).toEqual([
      {
        sha: "a".repeat(40),
        author: { name: "Ann", email: "ann@example.com", login: null },
        date: "2026-11-02T09:00:00.000Z",
        message: "subject\n\nbody line",
        filesChanged: 3,
        additions: 3,
        deletions: 6,
      },
      { sha: "b".repeat(40), author: { name: "Bob", email: null, login: null }, date: "2026-11-01T10:00:00.000Z", message: "first", filesChanged: 0, additions: 0, deletions: 0 },
    ]);
  });
});
