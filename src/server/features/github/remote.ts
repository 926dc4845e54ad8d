import { mapConcurrent } from "@/server/core/concurrency";
import { githubStatus, splitRepo, type GitHubClient } from "@/server/adapters/github/client";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import { mapGitHubError } from "./errors";
import { languageShares } from "./languages";
import { runDuration } from "./runs-summary";
import type { CommitInfo, CommitsInput, RepoInfo, RunInfo, RunsInput } from "./schema";

/** Reads of a GitHub repository through the REST API (conditional requests and rate limits in the client). */
const API_PAGE = 100;
const MAX_RUN_PAGES = 5;
const STATS_CONCURRENCY = 5;
export const MAX_MESSAGE_CHARS = 4_000;

async function guarded<T>(repoId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    mapGitHubError(err, repoId);
  }
}

function lastPage(link: string | undefined): number | null {
  const m = link ? /[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link) : null;
  return m ? Number(m[1]) : null;
}

export const cutMessage = (m: string) => (m.length > MAX_MESSAGE_CHARS ? `${m.slice(0, MAX_MESSAGE_CHARS)}…` : m);

export function githubRepoInfo(octokit: GitHubClient, repoId: string): Promise<Omit<RepoInfo, "index">> {
  const { owner, repo } = splitRepo(repoId);
  return guarded(repoId, async () => {
    const [{ data: meta }, { data: languages }, pulls] = await Promise.all([
      octokit.rest.repos.get({ owner, repo }),
      octokit.rest.repos.listLanguages({ owner, repo }),
      octokit.rest.pulls.list({ owner, repo, state: "open", per_page: 1 }),
    ]);
    const openPullRequests = lastPage(pulls.headers.link) ?? pulls.data.length;
    const head = await octokit.rest.repos.getCommit({ owner, repo, ref: meta.default_branch, per_page: 1 }).catch((err: unknown) => {
      if (githubStatus(err) === 409 || githubStatus(err) === 404) return null; // an empty repository has no head
      throw err;
    });
    return {
      repo: repoId,
      source: "github" as const,
      name: meta.full_name,
      description: meta.description,
      htmlUrl: meta.html_url,
      defaultBranch: meta.default_branch,
      private: meta.private,
      archived: meta.archived ?? null,
      languages: languageShares(languages),
      openPullRequests,
      openIssues: Math.max(0, meta.open_issues_count - openPullRequests),
      lastPushAt: meta.pushed_at ?? null,
      headCommit: head ? { sha: head.data.sha, date: head.data.commit.author?.date ?? head.data.commit.committer?.date ?? "", message: cutMessage(head.data.commit.message) } : null,
      note: null,
    };
  });
}

interface Stats {
  filesChanged: number;
  additions: number;
  deletions: number;
}

/** A commit's stats never change: kept in the store for a week, so a page asks GitHub only for new ones. */
async function commitStats(octokit: GitHubClient, kv: KeyValueStore, repoId: string, sha: string): Promise<Stats> {
  const key = `gh:commit-stats:${repoId}:${sha}`;
  const cached = await kv.get(key).catch(() => null);
  if (cached) return JSON.parse(cached) as Stats;
  const { owner, repo } = splitRepo(repoId);
  const { data } = await octokit.rest.repos.getCommit({ owner, repo, ref: sha });
  const stats = { filesChanged: data.files?.length ?? 0, additions: data.stats?.additions ?? 0, deletions: data.stats?.deletions ?? 0 };
  await kv.set(key, JSON.stringify(stats), { ttlMs: 7 * 24 * 3600 * 1000 }).catch(() => undefined);
  return stats;
}

export function githubCommits(octokit: GitHubClient, kv: KeyValueStore, repoId: string, branch: string, input: CommitsInput) {
  const { owner, repo } = splitRepo(repoId);
  return guarded(repoId, async () => {
    const [pinned, offsetText] = input.cursor ? input.cursor.split(".") : [undefined, "0"];
    const head = pinned ?? (await octokit.rest.repos.getCommit({ owner, repo, ref: branch, per_page: 1 })).data.sha;
    let offset = Number(offsetText);
    const picked: Awaited<ReturnType<typeof octokit.rest.repos.listCommits>>["data"] = [];
    let more = false;
    for (let page = Math.floor(offset / API_PAGE) + 1; ; page++) {
      const res = await octokit.rest.repos.listCommits({ owner, repo, sha: head, path: input.path, author: input.author, since: input.since, until: input.until, per_page: API_PAGE, page });
      const rest = res.data.slice(offset % API_PAGE);
      const take = rest.slice(0, input.limit - picked.length);
      picked.push(...take);
      offset += take.length;
      const nextPage = res.data.length === API_PAGE && /rel="next"/.test(res.headers.link ?? "");
      if (take.length < rest.length || (nextPage && picked.length >= input.limit)) {
        more = true;
        break;
      }
      if (!nextPage) break;
    }
    const items: CommitInfo[] = await mapConcurrent(picked, STATS_CONCURRENCY, async (c) => ({
      sha: c.sha,
      author: { name: c.commit.author?.name ?? c.author?.login ?? "unknown", email: c.commit.author?.email ?? null, login: c.author && "login" in c.author ? c.author.login : null },
      date: c.commit.author?.date ?? c.commit.committer?.date ?? "",
      message: cutMessage(c.commit.message),
      ...(await commitStats(octokit, kv, repoId, c.sha)),
    }));
    return { repo: repoId, branch, head, items, nextCursor: more ? `${head}.${offset}` : null };
  });
}

/** Runs created in the window, newest first, up to 500 (`truncated` says when there were more). */
export function githubRuns(octokit: GitHubClient, repoId: string, input: RunsInput, window: { since: string; until: string }) {
  const { owner, repo } = splitRepo(repoId);
  return guarded(repoId, async () => {
    const runs: RunInfo[] = [];
    let total = 0;
    let read = 0;
    for (let page = 1; page <= MAX_RUN_PAGES; page++) {
      const { data } = await octokit.rest.actions.listWorkflowRunsForRepo({
        owner,
        repo,
        branch: input.branch,
        event: input.event,
        status: input.status,
        created: `${window.since}..${window.until}`,
        per_page: API_PAGE,
        page,
      });
      total = data.total_count;
      read += data.workflow_runs.length;
      for (const r of data.workflow_runs) {
        const workflow = r.name ?? r.path ?? String(r.workflow_id);
        if (input.workflow && workflow !== input.workflow) continue;
        runs.push({
          id: r.id,
          workflow,
          workflowId: r.workflow_id,
          branch: r.head_branch,
          headSha: r.head_sha,
          event: r.event,
          status: r.status,
          conclusion: r.conclusion,
          runNumber: r.run_number,
          attempt: r.run_attempt ?? 1,
          createdAt: r.created_at,
          startedAt: r.run_started_at ?? null,
          updatedAt: r.updated_at,
          durationSeconds: runDuration(r.status, r.run_started_at ?? null, r.updated_at),
          htmlUrl: r.html_url,
        });
      }
      if (data.workflow_runs.length < API_PAGE || read >= total) break;
    }
    return { runs, truncated: total > read };
  });
}
