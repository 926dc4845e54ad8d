import { createSummarizer } from "@/server/adapters/embeddings";
import type { Deps } from "@/server/deps";
import { repoSourceFor, syncRepos } from "@/server/features/repos/registry";
import { AppError } from "@/server/core/errors";
import type { Repo } from "@/generated/prisma/client";
import { IndexBusyError } from "./lock";
import { indexRepo, type IndexDeps, type IndexProgress, type IndexResult, type IndexTrigger } from "./run";

/**
 * The entry points of the indexer (CLI, cron, worker, dashboard): which repos to index, with which
 * embedder, summarizer and vector store, and the queue of runs the webhook and the dashboard ask for.
 */
export function indexDepsFrom(deps: Deps): IndexDeps {
  return { db: deps.db, audit: deps.audit, embedder: deps.embedder, summarizer: createSummarizer(deps.env), vectors: deps.vectors };
}

export type RepoIndexOutcome = { repoId: string } & ({ status: "succeeded"; result: IndexResult } | { status: "busy" | "failed"; error: string });

interface RunRepoOptions {
  trigger: IndexTrigger;
  full?: boolean;
  runId?: string;
  onProgress?: (repoId: string, p: IndexProgress) => void;
  indexDeps?: IndexDeps;
}

/**
 * Indexes one registered repo. Queued runs of that repo are carried out by this one (the oldest
 * becomes it when no run id is given; the others are closed as covered by it).
 */
export async function indexRegisteredRepo(deps: Deps, repo: Repo, opts: RunRepoOptions): Promise<RepoIndexOutcome> {
  const indexDeps = opts.indexDeps ?? indexDepsFrom(deps);
  const queued = await deps.db.indexRun.findMany({ where: { repoId: repo.id, status: "queued" }, orderBy: { createdAt: "asc" }, select: { id: true } });
  const runId = opts.runId ?? queued[0]?.id;
  let source;
  try {
    source = repoSourceFor(deps, repo);
  } catch (err) {
    // the repo cannot be read at all (e.g. a GitHub repo without GITHUB_TOKEN): its queued runs fail now rather than wait forever
    const message = (err as Error).message;
    await deps.db.indexRun.updateMany({ where: { repoId: repo.id, status: "queued" }, data: { status: "failed", error: message, finishedAt: new Date() } });
    return { repoId: repo.id, status: "failed", error: message };
  }
  try {
    const result = await indexRepo(indexDeps, {
      source,
      trigger: opts.trigger,
      full: opts.full,
      runId,
      localPath: repo.localPath,
      writers: deps.database.kind === "postgres" ? 3 : 1,
      onProgress: opts.onProgress && ((p) => opts.onProgress!(repo.id, p)),
    });
    const covered = queued.map((q) => q.id).filter((id) => id !== result.runId);
    if (covered.length) {
      await deps.db.indexRun.updateMany({
        where: { id: { in: covered }, status: "queued" },
        data: { status: "succeeded", finishedAt: new Date(), toSha: result.toSha, warnings: [`covered by run ${result.runId}`] },
      });
    }
    return { repoId: repo.id, status: "succeeded", result };
  } catch (err) {
    if (err instanceof IndexBusyError) return { repoId: repo.id, status: "busy", error: err.message };
    return { repoId: repo.id, status: "failed", error: (err as Error).message };
  }
}

/** The CLI's and cron's run: every configured repo (or the one named), incrementally unless `full`. */
export async function indexRepos(deps: Deps, opts: RunRepoOptions & { repo?: string }): Promise<RepoIndexOutcome[]> {
  const repos = await syncRepos(deps);
  const chosen = opts.repo ? repos.filter((r) => r.id.toLowerCase() === opts.repo!.toLowerCase()) : repos;
  if (opts.repo && chosen.length === 0) throw new AppError("NOT_FOUND", `No configured repository ${opts.repo}; configured: ${repos.map((r) => r.id).join(", ") || "none"}.`);
  if (chosen.length === 0) throw new AppError("NOT_FOUND", "No repository is configured: set GITHUB_TOKEN and GITHUB_REPO, or run inside a git checkout (or set REPO_PATH).");
  const indexDeps = opts.indexDeps ?? indexDepsFrom(deps);
  const out: RepoIndexOutcome[] = [];
  for (const repo of chosen) out.push(await indexRegisteredRepo(deps, repo, { ...opts, indexDeps }));
  return out;
}

/** Carries out every queued `index_run` row, one run per repo (the admin command `index.queued`); the job queue hands each webhook or Reindex run to the `index-repos` job instead. A busy repo keeps its rows queued. */
export async function runQueuedIndexJobs(deps: Deps, opts: { indexDeps?: IndexDeps; limit?: number } = {}): Promise<RepoIndexOutcome[]> {
  const queued = await deps.db.indexRun.findMany({ where: { status: "queued" }, orderBy: { createdAt: "asc" }, include: { repo: true }, take: 500 });
  const repos = new Map<string, Repo>();
  for (const q of queued) if (!repos.has(q.repoId)) repos.set(q.repoId, q.repo);
  const chosen = [...repos.values()].slice(0, opts.limit ?? Infinity);
  if (chosen.length === 0) return [];
  const indexDeps = opts.indexDeps ?? indexDepsFrom(deps);
  const out: RepoIndexOutcome[] = [];
  for (const repo of chosen) {
    const first = queued.find((q) => q.repoId === repo.id)!;
    out.push(await indexRegisteredRepo(deps, repo, { trigger: first.trigger as IndexTrigger, full: first.full, runId: first.id, indexDeps }));
  }
  return out;
}

/** Runs in progress, for a CLI following a run the app carries out. */
export async function runningIndexRuns(db: Deps["db"]) {
  const rows = await db.indexRun.findMany({ where: { status: "running" }, orderBy: { startedAt: "asc" }, select: { id: true, repoId: true, filesDone: true, filesTotal: true, startedAt: true } });
  return rows.map((r) => ({ ...r, startedAt: r.startedAt?.toISOString() ?? null }));
}
