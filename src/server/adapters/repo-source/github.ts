import { githubStatus, splitRepo, type GitHubClient } from "@/server/adapters/github/client";
import type { RepoSnapshot, RepoSource, TreeEntry } from "./types";

/**
 * A GitHub repository read through the git database API: one recursive tree per snapshot (walking
 * subtrees one by one when GitHub truncates it, past 100,000 entries or 7 MB), and blobs by sha
 * (base64), a few at a time.
 */
const BLOB_CONCURRENCY = 8;

interface GitTreeItem {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
  size?: number;
}

export function createGitHubSource(octokit: GitHubClient, repoId: string): RepoSource {
  const { owner, repo } = splitRepo(repoId);
  let branch: string | undefined;

  async function defaultBranch(): Promise<string> {
    branch ??= (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
    return branch;
  }

  async function readTree(treeSha: string, recursive: boolean): Promise<{ items: GitTreeItem[]; truncated: boolean }> {
    const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha, ...(recursive ? { recursive: "true" } : {}) });
    return { items: data.tree, truncated: data.truncated };
  }

  /** Every blob under a tree; a truncated recursive answer is replaced by a walk of its subtrees. */
  async function walk(treeSha: string, prefix: string, out: TreeEntry[]): Promise<void> {
    const full = await readTree(treeSha, true);
    if (!full.truncated) {
      for (const item of full.items) pushBlob(item, prefix, out);
      return;
    }
    const level = await readTree(treeSha, false);
    for (const item of level.items) {
      if (item.type === "tree" && item.sha && item.path) await walk(item.sha, `${prefix}${item.path}/`, out);
      else pushBlob(item, prefix, out);
    }
  }

  async function snapshot(ref?: string): Promise<RepoSnapshot> {
    const at = ref ?? (await defaultBranch());
    const { data: commit } = await octokit.rest.repos.getCommit({ owner, repo, ref: at, per_page: 1 });
    const entries: TreeEntry[] = [];
    await walk(commit.commit.tree.sha, "", entries);
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { commitSha: commit.sha, entries };
  }

  async function readBlob(sha: string): Promise<Buffer | null> {
    try {
      const { data } = await octokit.rest.git.getBlob({ owner, repo, file_sha: sha });
      return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
    } catch (err) {
      if (githubStatus(err) === 404) return null;
      throw err;
    }
  }

  async function readBlobs(shas: string[]): Promise<Map<string, Buffer>> {
    const unique = [...new Set(shas)];
    const out = new Map<string, Buffer>();
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const sha = unique[next++]!;
        const content = await readBlob(sha);
        if (content) out.set(sha, content);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, unique.length) }, worker));
    return out;
  }

  return { kind: "github", repoId, defaultBranch, snapshot, readBlobs };
}

function pushBlob(item: GitTreeItem, prefix: string, out: TreeEntry[]) {
  // Submodules are "commit" entries and directories "tree": only file contents are blobs.
  if (item.type !== "blob" || !item.sha || !item.path) return;
  out.push({ path: `${prefix}${item.path}`, blobSha: item.sha, size: item.size ?? 0 });
}
