import path from "node:path";
import { git, GitError } from "@/server/adapters/git/cli";
import { GitReadCache } from "@/server/adapters/git/read-cache";
import { AppError } from "@/server/core/errors";
import { languageOf, languageShares } from "./languages";
import { cutMessage } from "./remote";
import type { CommitInfo, CommitsInput, RepoInfo } from "./schema";

/** What `git` can tell about the local checkout: branch, head, languages by extension, `git log --numstat`. */
const FIELD = "\x1f";
const isoUtc = (date: string) => new Date(date).toISOString();
const RECORD = "\x1e";
/** One `git` run per state of the refs an answer depends on, not one per request. */
const cache = new GitReadCache();

async function guarded<T>(repoId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GitError) throw new AppError("NOT_FOUND", `${repoId}: ${err.message}`);
    throw err;
  }
}

async function headCommit(dir: string, ref: string) {
  const out = await git(dir, ["log", "-1", `--format=%H${FIELD}%aI${FIELD}%B`, ref, "--"]).catch(() => "");
  if (!out) return null;
  const [sha, date, message] = out.split(FIELD);
  return { sha: sha!, date: isoUtc(date!), message: cutMessage(message!.trimEnd()) };
}

/** The default branch's head when that branch exists here, else the checked-out HEAD. */
async function branchOrHead(dir: string, branch: string): Promise<string> {
  const sha = await git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${branch}^{commit}`]).catch(() => "");
  return sha.trim() ? branch : "HEAD";
}

export function localRepoInfo(repoId: string, dir: string, branch: string): Promise<Omit<RepoInfo, "index">> {
  return guarded(repoId, () => cache.read(dir, [branch], `info:${branch}`, () => readRepoInfo(repoId, dir, branch)));
}

async function readRepoInfo(repoId: string, dir: string, branch: string): Promise<Omit<RepoInfo, "index">> {
  const head = await headCommit(dir, await branchOrHead(dir, branch));
  const bytes: Record<string, number> = {};
  if (head) {
    // "<mode> blob <sha> <size>\t<path>" for every file at HEAD
    for (const line of (await git(dir, ["ls-tree", "-r", "-l", "-z", head.sha])).split("\0")) {
      const m = /^\d+ blob [0-9a-f]+\s+(\d+)\t(.+)$/.exec(line);
      const language = m ? languageOf(m[2]!) : null;
      if (m && language) bytes[language] = (bytes[language] ?? 0) + Number(m[1]);
    }
  }
  return {
    repo: repoId,
    source: "local" as const,
    name: path.basename(dir),
    description: null,
    htmlUrl: null,
    defaultBranch: branch,
    private: null,
    archived: null,
    languages: languageShares(bytes),
    openPullRequests: null,
    openIssues: null,
    lastPushAt: null,
    headCommit: head,
    note: "Local git checkout: pull requests, issues and pushes are GitHub's and unknown here (set GITHUB_TOKEN and GITHUB_REPO); languages are bytes by file extension at the head commit; the default branch is origin's HEAD, else the branch checked out.",
  };
}

/** Parses `git log --format=<RECORD>%H<F>%an<F>%ae<F>%aI<F>%B<F> --numstat`. */
export function parseLog(out: string): CommitInfo[] {
  return out
    .split(RECORD)
    .filter((r) => r.trim())
    .map((record) => {
      const [sha, name, email, date, message, numstat] = record.split(FIELD);
      let filesChanged = 0;
      let additions = 0;
      let deletions = 0;
      for (const line of (numstat ?? "").split("\n")) {
        const m = /^(\d+|-)\t(\d+|-)\t/.exec(line);
        if (!m) continue;
        filesChanged++;
        additions += m[1] === "-" ? 0 : Number(m[1]);
        deletions += m[2] === "-" ? 0 : Number(m[2]);
      }
      return { sha: sha!, author: { name: name!, email: email || null, login: null }, date: isoUtc(date!), message: cutMessage(message!.trimEnd()), filesChanged, additions, deletions };
    });
}

export function localCommits(repoId: string, dir: string, branch: string, input: CommitsInput) {
  const refs = input.branch ? [branch, input.branch] : [branch];
  return guarded(repoId, () => cache.read(dir, refs, `commits:${branch}:${JSON.stringify(input)}`, () => readCommits(repoId, dir, branch, input)));
}

async function readCommits(repoId: string, dir: string, branch: string, input: CommitsInput) {
  const [pinned, offsetText] = input.cursor ? input.cursor.split(".") : [undefined, "0"];
  const ref = input.branch ?? (await branchOrHead(dir, branch));
  const head = pinned ?? (await git(dir, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])).trim();
  const offset = Number(offsetText);
  const args = ["log", `--format=${RECORD}%H${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%B${FIELD}`, "--numstat", `--skip=${offset}`, `-n${input.limit + 1}`];
  if (input.author) args.push(`--author=${input.author}`);
  if (input.since) args.push(`--since=${input.since}`);
  if (input.until) args.push(`--until=${input.until}`);
  args.push(head, "--");
  if (input.path) args.push(input.path);
  const commits = parseLog(await git(dir, args));
  const items = commits.slice(0, input.limit);
  return { repo: repoId, branch, head, items, nextCursor: commits.length > input.limit ? `${head}.${offset + items.length}` : null };
}
