/**
 * Where the indexer reads a repository's files: the GitHub API (git trees and blobs) or a local git
 * checkout read with `git` itself. Both speak in git blob shas, which is what makes the index
 * incremental: a file whose blob sha did not change is not read again.
 */
export interface TreeEntry {
  path: string;
  /** git blob sha (40 hex). */
  blobSha: string;
  /** bytes */
  size: number;
}

export interface RepoSnapshot {
  /** The commit these entries are read at. */
  commitSha: string;
  entries: TreeEntry[];
}

export interface RepoSource {
  readonly kind: "github" | "local";
  /** "owner/name" or "local/<folder>". */
  readonly repoId: string;
  defaultBranch(): Promise<string>;
  /** Every blob (no trees, no submodules) at the head of `ref` (default: the default branch). */
  snapshot(ref?: string): Promise<RepoSnapshot>;
  /** Contents of blobs by sha; a missing sha is absent from the map. */
  readBlobs(shas: string[]): Promise<Map<string, Buffer>>;
}
