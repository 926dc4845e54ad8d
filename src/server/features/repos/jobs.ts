import type { Deps } from "@/server/deps";
import { indexRegisteredRepo, indexRepos, type RepoIndexOutcome } from "@/server/features/repos/indexer/jobs";
import { registeredJobs } from "@/server/jobs/registry";
import { enqueueJob } from "@/server/jobs/runner";
import type { JobContext, JobDefinition } from "@/server/jobs/types";
import { pruneIndex } from "./prune";

/**
 * Repository indexing on the jobs layer. Nightly, every configured repo incrementally (what changed
 * since its last run); on demand (a webhook push, the dashboard's Reindex), the one repo whose
 * `index_run` row was queued. The queue runs one job per repo at a time (singleton key = repo) and
 * the repo's lease backs it up; a run cut short resumes where its last committed batch ended.
 */
export const INDEX_JOB = "index-repos";

function summary(outcomes: RepoIndexOutcome[]) {
  return outcomes.map((o) =>
    o.status === "succeeded"
      ? { repo: o.repoId, status: o.status, runId: o.result.runId, toSha: o.result.toSha, added: o.result.added, changed: o.result.changed, removed: o.result.removed, durationMs: o.result.durationMs }
      : { repo: o.repoId, status: o.status, error: o.error },
  );
}

async function runIndexJob({ deps, data, log }: JobContext) {
  const repoId = typeof data.repoId === "string" ? data.repoId : null;
  let outcomes: RepoIndexOutcome[];
  if (repoId) {
    const repo = await deps.db.repo.findUnique({ where: { id: repoId } });
    if (!repo) return { repos: [], skipped: `repo ${repoId} is no longer registered` };
    outcomes = [await indexRegisteredRepo(deps, repo, { trigger: "worker" })];
  } else {
    outcomes = await indexRepos(deps, { trigger: "cron" });
  }
  for (const o of outcomes) log(o.status === "succeeded" ? `${o.repoId}: ${o.result.added} added, ${o.result.changed} changed, ${o.result.removed} removed` : `${o.repoId}: ${o.status} — ${o.error}`);
  // busy: another run holds the repo; failing lets the queue try again later, with backoff
  const bad = outcomes.filter((o) => o.status !== "succeeded");
  if (bad.length) throw new Error(bad.map((o) => `${o.repoId}: ${o.status} — ${"error" in o ? o.error : ""}`).join("; "));
  return { repos: summary(outcomes) };
}

export const reposJobs: JobDefinition[] = [
  {
    name: INDEX_JOB,
    description: "Indexes the configured repositories incrementally (nightly), or one repo whose index run was queued",
    schedule: "0 3 * * *",
    timeoutSeconds: 3 * 3_600,
    retry: { limit: 2, delaySeconds: 60, backoff: true },
    singleton: true,
    // a first index of a large repo outlasts a serverless function: on Vercel a worker runs it
    runsInCron: false,
    run: runIndexJob,
  },
  {
    name: "vectors-prune",
    description: "Remove chunks and vectors of repos no longer configured and of files gone from the default branch (data.dryRun: report only)",
    schedule: "41 4 1 * *",
    timeoutSeconds: 1_800,
    retry: { limit: 2, delaySeconds: 600, backoff: true },
    singleton: true,
    runsInCron: false,
    run: async (ctx) => {
      const s = await pruneIndex(ctx.deps, { dryRun: ctx.data.dryRun === true, signal: ctx.signal, log: ctx.log });
      return { ...s, repos: s.repos.length, pruned: s.repos };
    },
  },
];

/**
 * Hands a queued index run to the queue, after its row committed. The row is the durable record: if
 * this send is lost, the nightly run carries the row out (it covers every queued run of its repos).
 */
export async function enqueueIndexRun(deps: Deps, repoId: string): Promise<void> {
  if (!registeredJobs().has(INDEX_JOB)) return;
  await enqueueJob(deps, INDEX_JOB, { trigger: "manual", data: { repoId }, singletonKey: repoId }).catch((err: Error) => {
    console.warn(`[index] ${repoId}: queued run not sent to the job queue (the nightly run will carry it out): ${err.message}`);
  });
}
