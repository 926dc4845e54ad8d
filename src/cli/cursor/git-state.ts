import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { git, gitTopLevel } from "@/server/adapters/git/cli";
import { CliError } from "../transport";
import type { FILE_STATUSES, PutSessionInput } from "@/server/features/cursor/schema";
import { MAX_CHANGED_FILES, MAX_DIFF_BYTES } from "@/server/features/cursor/schema";

/**
 * The working tree as `cursor sync` pushes it, read with git: branch, head, changed files (status and
 * line counts against HEAD, untracked files included), the unified diff (cut at a file boundary to fit
 * the server's limit) and the active file — the one named, else the changed file modified last.
 */
export type WorkingTree = Omit<PutSessionInput, "sessionId" | "expectedVersion" | "changedFiles"> & { changedFiles: NonNullable<PutSessionInput["changedFiles"]>; root: string };

/** git's empty tree: what a repository without commits is compared against. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
type Status = (typeof FILE_STATUSES)[number];

const STATUS_BY_CODE: Record<string, Status> = { A: "added", M: "modified", D: "deleted", R: "renamed", C: "copied", T: "typechange", U: "unmerged", "?": "untracked" };

function statusOf(xy: string): Status {
  if (xy === "??") return "untracked";
  if (xy.includes("U") || xy === "AA" || xy === "DD") return "unmerged";
  const code = xy[0] !== " " ? xy[0]! : xy[1]!;
  return STATUS_BY_CODE[code] ?? "modified";
}

async function maybe(dir: string, args: string[]): Promise<string | null> {
  try {
    return (await git(dir, args)).trim();
  } catch {
    return null;
  }
}

/** `owner/name` from a GitHub-style origin URL, else `local/<folder>` (the server's name for a local checkout). */
export async function repoName(root: string): Promise<string> {
  const origin = await maybe(root, ["remote", "get-url", "origin"]);
  const m = origin ? /[:/]([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100}?)(?:\.git)?\/?$/.exec(origin) : null;
  return m ? `${m[1]}/${m[2]}` : `local/${path.basename(root)}`;
}

/** Porcelain status: path → status (renames keep the new path). */
async function statusEntries(root: string): Promise<Map<string, Status>> {
  const out = new Map<string, Status>();
  const fields = (await git(root, ["status", "--porcelain=v1", "-z", "--untracked-files=all"])).split("\0");
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.length < 4) continue;
    const xy = f.slice(0, 2);
    out.set(f.slice(3), statusOf(xy));
    if (xy[0] === "R" || xy[0] === "C") i++; // the original path follows
  }
  return out;
}

/** Lines added and deleted per path against `base` (null for binary files). */
async function numstat(root: string, base: string): Promise<Map<string, { additions: number | null; deletions: number | null }>> {
  const out = new Map<string, { additions: number | null; deletions: number | null }>();
  const fields = (await git(root, ["diff", base, "--numstat", "-z", "-M"])).split("\0");
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(f);
    if (!m) continue;
    let file = m[3]!;
    if (file === "") {
      i += 2; // a rename: old path, then new path
      file = fields[i] ?? "";
    }
    out.set(file, { additions: m[1] === "-" ? null : Number(m[1]), deletions: m[2] === "-" ? null : Number(m[2]) });
  }
  return out;
}

async function untrackedLines(root: string, file: string): Promise<{ additions: number | null; deletions: number }> {
  const data = await readFile(path.join(root, file)).catch(() => null);
  if (!data || data.includes(0)) return { additions: null, deletions: 0 };
  const text = data.toString("utf8");
  return { additions: text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0), deletions: 0 };
}

/** The diff of tracked files, then untracked ones as additions, cut at the last whole file under the limit. */
async function unifiedDiff(root: string, base: string, untracked: string[]): Promise<string> {
  const parts = (await git(root, ["diff", base, "-M", "--no-color", "--no-ext-diff"])).split(/(?=^diff --git )/m).filter(Boolean);
  for (const file of untracked) {
    const data = await readFile(path.join(root, file)).catch(() => null);
    if (!data || data.length === 0 || data.includes(0) || data.length > MAX_DIFF_BYTES) continue;
    const lines = data.toString("utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    parts.push(`diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}\n`).join("")}`);
  }
  let out = "";
  for (const part of parts) {
    if (Buffer.byteLength(out) + Buffer.byteLength(part) > MAX_DIFF_BYTES) break;
    out += part;
  }
  return out;
}

export async function readWorkingTree(dir: string, opts: { file?: string } = {}): Promise<WorkingTree> {
  const root = await gitTopLevel(dir);
  if (!root) throw new CliError(`${dir} is not inside a git checkout: run this in your repository, or pass --dir <path>.`);
  const head = await maybe(root, ["rev-parse", "--verify", "-q", "HEAD"]);
  const branch = await maybe(root, ["symbolic-ref", "--short", "-q", "HEAD"]);
  const base = head ?? EMPTY_TREE;
  const [statuses, counts] = await Promise.all([statusEntries(root), numstat(root, base)]);
  const changedFiles: WorkingTree["changedFiles"] = [];
  for (const [file, status] of statuses) {
    const lines = status === "untracked" ? await untrackedLines(root, file) : (counts.get(file) ?? { additions: 0, deletions: 0 });
    changedFiles.push({ path: file, status, ...lines });
  }
  changedFiles.sort((a, b) => (a.path < b.path ? -1 : 1));
  const untracked = changedFiles.filter((f) => f.status === "untracked").map((f) => f.path);
  const diff = await unifiedDiff(root, base, untracked);
  return {
    root,
    repo: await repoName(root),
    branch: branch || null,
    head: head || null,
    activeFile: opts.file ? path.relative(root, path.resolve(dir, opts.file)) : await lastModified(root, changedFiles),
    changedFiles: changedFiles.slice(0, MAX_CHANGED_FILES),
    diff: diff || undefined,
  };
}

async function lastModified(root: string, files: WorkingTree["changedFiles"]): Promise<string | null> {
  let best: { path: string; mtime: number } | null = null;
  for (const f of files) {
    if (f.status === "deleted") continue;
    const s = await stat(path.join(root, f.path)).catch(() => null);
    if (s && (!best || s.mtimeMs > best.mtime)) best = { path: f.path, mtime: s.mtimeMs };
  }
  return best?.path ?? null;
}
