import { AppError } from "@/server/core/errors";
import { fitToBudget } from "@/server/core/paging";
import type { Deps } from "@/server/deps";
import type { Repo } from "@/generated/prisma/client";
import { resolveRepo } from "../repos/registry";
import { localCommits, localRepoInfo } from "./local";
import { githubCommits, githubRepoInfo, githubRuns } from "./remote";
import { summarizeRuns } from "./runs-summary";
import type { CommitsInput, RepoInfo, RunsInput, RunsPage } from "./schema";

/** /ai/github/{repo,commits,runs}: the same answers from GitHub's API or from the local checkout. */
const DEFAULT_RUN_WINDOW_MS = 7 * 24 * 3600 * 1000;

/**
 * A GitHub repository's answers (its metadata, a page of commits) are shared by this instance's
 * callers for up to GITHUB_MAX_AGE_MS: even answered from the ETag cache (a 304), each read is a
 * round trip to GitHub. A webhook delivery for the repository (a push, a pull request, an issue)
 * forgets them at once on the instance that receives it; the others within the same bound.
 */
export const GITHUB_MAX_AGE_MS = 10_000;
export const githubSnapshots = (repoId: string) => `github:${repoId.toLowerCase()}:`;

async function shared<T>(deps: Deps, repoId: string, key: string, compute: () => Promise<T>): Promise<T> {
  return (await deps.snapshots.get(`${githubSnapshots(repoId)}${key}`, GITHUB_MAX_AGE_MS, compute)).value;
}

function githubOf(deps: Deps) {
  // repoSourceFor's rule: a GitHub row without a token is unavailable, never read anonymously.
  if (!deps.github) throw new Error("unreachable: GitHub repository without a client");
  return deps.github;
}

const indexOf = (repo: Repo): RepoInfo["index"] => ({ state: repo.indexState, indexedSha: repo.indexedSha, indexedAt: repo.indexedAt?.toISOString() ?? null });

async function readable(deps: Deps, id: string | undefined): Promise<Repo> {
  const repo = await resolveRepo(deps, id);
  if (repo.source === "github" && !deps.github) {
    throw new AppError("UNAVAILABLE", `${repo.id} is a GitHub repository and GITHUB_TOKEN is not set.`);
  }
  return repo;
}

export async function repoInfo(deps: Deps, input: { repo?: string }): Promise<RepoInfo> {
  const repo = await readable(deps, input.repo);
  const info = repo.source === "github" ? await shared(deps, repo.id, "info", () => githubRepoInfo(githubOf(deps), repo.id)) : await localRepoInfo(repo.id, repo.localPath ?? "", repo.defaultBranch);
  return { ...info, index: indexOf(repo) };
}

export async function listCommits(deps: Deps, input: CommitsInput) {
  const repo = await readable(deps, input.repo);
  const branch = input.branch ?? repo.defaultBranch;
  const { head, ...page } =
    repo.source === "github"
      ? await shared(deps, repo.id, `commits:${branch}:${JSON.stringify(input)}`, () => githubCommits(githubOf(deps), deps.kv, repo.id, branch, input))
      : await localCommits(repo.id, repo.localPath ?? "", branch, input);
  const fitted = fittedItems(page.items);
  if (!fitted.cut) return page;
  const offset = Number(input.cursor?.split(".")[1] ?? 0) + fitted.items.length;
  return { ...page, items: fitted.items, nextCursor: `${head}.${offset}` };
}

/** A page's cut to the response budget, measured once per page: the same cached page answers many requests. */
const fittedPages = new WeakMap<object, ReturnType<typeof fitToBudget>>();
function fittedItems<T>(items: T[]): { items: T[]; cut: boolean } {
  let fitted = fittedPages.get(items);
  if (!fitted) fittedPages.set(items, (fitted = fitToBudget(items)));
  return fitted as { items: T[]; cut: boolean };
}

export async function listRuns(deps: Deps, input: RunsInput, now = new Date()): Promise<RunsPage> {
  const repo = await readable(deps, input.repo);
  const until = input.until ?? now.toISOString();
  const since = input.since ?? new Date(Date.parse(until) - DEFAULT_RUN_WINDOW_MS).toISOString();
  if (Date.parse(since) > Date.parse(until)) {
    throw new AppError("BAD_REQUEST", "since must not be after until.");
  }
  const window = { since, until };
  if (repo.source === "local") {
    return {
      repo: repo.id,
      window,
      items: [],
      nextCursor: null,
      summary: [],
      truncated: false,
      note: "Workflow runs are GitHub Actions data; a local checkout has none. Set GITHUB_TOKEN and GITHUB_REPO to see them.",
    };
  }
  const { runs, truncated } = await githubRuns(githubOf(deps), repo.id, input, window);
  const offset = Number(input.cursor ?? 0);
  const { items, cut } = fitToBudget(runs.slice(offset, offset + input.limit));
  const next = offset + items.length;
  return {
    repo: repo.id,
    window,
    items,
    nextCursor: cut || next < runs.length ? String(next) : null,
    summary: summarizeRuns(runs),
    truncated,
    note: truncated ? "The window held more than 500 runs: the summary covers the newest 500; narrow since/until for the rest." : null,
  };
}
