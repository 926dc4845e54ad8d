import type { Deps } from "@/server/deps";
import { AppError } from "@/server/core/errors";
import { sharedJobStatuses, type JobStatus } from "@/server/jobs/monitor";
import { registeredJobs } from "@/server/jobs/registry";
import { triggerNow } from "@/server/jobs/trigger";
import type { JobStatusDto } from "./schema";

/** The cron monitor as the API shows it, and Run now. */
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toDto(j: JobStatus): JobStatusDto {
  return {
    ...j,
    nextDueAt: iso(j.nextDueAt),
    lastSuccessAt: iso(j.lastSuccessAt),
    lastRun: j.lastRun ? { ...j.lastRun, startedAt: j.lastRun.startedAt.toISOString(), finishedAt: iso(j.lastRun.finishedAt) } : null,
  };
}

export async function listJobs(deps: Deps) {
  const shared = await sharedJobStatuses(deps);
  const jobs = shared.jobs.map(toDto);
  return { jobs, late: jobs.filter((j) => j.late).map((j) => j.name), asOf: shared.asOf.toISOString() };
}

export async function runJobNow(deps: Deps, name: string) {
  const def = registeredJobs().get(name);
  if (!def) throw new AppError("NOT_FOUND", `No job "${name}"; jobs: ${[...registeredJobs().keys()].join(", ")}.`);
  const t = await triggerNow(deps, def);
  return { job: def.name, mode: t.mode, queueJobId: t.queueJobId, runId: t.runId, outcome: t.outcome, error: t.error };
}
