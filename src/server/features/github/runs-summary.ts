import { RUN_FAILURES, type RunInfo, type WorkflowSummary } from "./schema";

/** Per workflow over the window: runs, failure rate (failures over runs that succeeded or failed) and median duration. */
export function summarizeRuns(runs: RunInfo[]): WorkflowSummary[] {
  const byWorkflow = new Map<string, RunInfo[]>();
  for (const r of runs) byWorkflow.set(r.workflow, [...(byWorkflow.get(r.workflow) ?? []), r]);
  return [...byWorkflow.entries()]
    .map(([workflow, list]) => {
      const completed = list.filter((r) => r.status === "completed");
      const failures = completed.filter((r) => (RUN_FAILURES as readonly string[]).includes(r.conclusion ?? "")).length;
      const decided = failures + completed.filter((r) => r.conclusion === "success").length;
      const durations = completed.map((r) => r.durationSeconds).filter((d): d is number => d !== null);
      return {
        workflow,
        runs: list.length,
        completed: completed.length,
        failures,
        failureRate: decided === 0 ? null : Math.round((failures / decided) * 1000) / 1000,
        medianDurationSeconds: median(durations),
      };
    })
    .sort((a, b) => b.runs - a.runs || a.workflow.localeCompare(b.workflow));
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds from start to last update, for a completed run only (GitHub reports no end time in the listing). */
export function runDuration(status: string | null, startedAt: string | null, updatedAt: string): number | null {
  if (status !== "completed" || !startedAt) return null;
  const seconds = (Date.parse(updatedAt) - Date.parse(startedAt)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
