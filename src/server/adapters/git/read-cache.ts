import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { git } from "./cli";

/**
 * Answers from a local checkout, computed once per state of its refs. What `git log` or `git ls-tree`
 * says can only change when HEAD or a ref it reads moves, and whether one moved is a few small file
 * reads (HEAD, the loose ref files, packed-refs' size and mtime) instead of a `git` process. The cache
 * is per process on purpose: it mirrors this machine's own disk, which no other instance shares.
 */
interface GitDirs {
  /** The checkout's own git folder (HEAD lives here; a linked worktree has its own). */
  gitDir: string;
  /** Where refs and packed-refs live (the main repository's folder for a linked worktree). */
  commonDir: string;
}

const dirsOf = new Map<string, Promise<GitDirs>>();

function gitDirs(dir: string): Promise<GitDirs> {
  let found = dirsOf.get(dir);
  if (!found) {
    found = git(dir, ["rev-parse", "--absolute-git-dir", "--git-common-dir"]).then((out) => {
      const [gitDir, common] = out.trim().split("\n");
      return { gitDir: gitDir!, commonDir: path.resolve(dir, common ?? gitDir!) };
    });
    found.catch(() => dirsOf.delete(dir));
    dirsOf.set(dir, found);
  }
  return found;
}

/**
 * HEAD and a ref are files of a few dozen bytes on the local disk, read on every git-backed request:
 * read synchronously they cost microseconds, where fs/promises' open, stat, read and close through the
 * thread pool were most of such a request's CPU. Most names a stamp looks at do not exist (a branch
 * is not also a tag or a remote), and a failed read throws an error with a stack trace: an existence
 * check first costs a fraction of that.
 */
function readOr(file: string): string {
  if (!existsSync(file)) return "";
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function statOr(file: string): string {
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeMs}` : "-";
}

/** A fingerprint of HEAD and the named refs (short names like `main` or full `refs/…`): equal while none of them moved. */
export async function refStamp(dir: string, refs: string[]): Promise<string> {
  const { gitDir, commonDir } = await gitDirs(dir);
  const head = readOr(path.join(gitDir, "HEAD"));
  const symbolic = /^ref: (\S+)/.exec(head)?.[1];
  const names = new Set<string>(symbolic ? [symbolic] : []);
  for (const ref of refs) {
    if (ref === "HEAD") continue;
    if (ref.startsWith("refs/")) names.add(ref);
    else for (const prefix of ["refs/heads/", "refs/tags/", "refs/remotes/"]) names.add(prefix + ref);
  }
  const loose = [...names].map((n) => `${n}=${readOr(path.join(commonDir, n)).trim()}`);
  return [head.trim(), statOr(path.join(commonDir, "packed-refs")), ...loose].join("|");
}

interface Cached {
  stamp: string;
  value: Promise<unknown>;
}

export class GitReadCache {
  private readonly entries = new Map<string, Cached>();

  constructor(private readonly maxEntries = 256) {}

  /**
   * `compute`'s answer for `key` in `dir`, reused until HEAD or one of `refs` moves. Concurrent
   * callers with the same stamp share one computation; a failure is not kept.
   */
  async read<T>(dir: string, refs: string[], key: string, compute: () => Promise<T>): Promise<T> {
    const stamp = await refStamp(dir, refs);
    const id = `${dir}\0${key}`;
    const hit = this.entries.get(id);
    if (hit && hit.stamp === stamp) {
      // most recently used last, so eviction drops the oldest
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.value as Promise<T>;
    }
    const value = compute();
    this.entries.set(id, { stamp, value });
    value.catch(() => {
      if (this.entries.get(id)?.value === value) this.entries.delete(id);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
