import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { RepoSnapshot, RepoSource, TreeEntry } from "./types";

const run = promisify(execFile);
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

async function git(dir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", dir, ...args], { maxBuffer: 512 * 1024 * 1024, encoding: "utf8" });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`git ${args[0]} in ${dir} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** `git ls-tree -r -l -z`: "<mode> <type> <sha> <size>\t<path>\0" per entry. Submodules and symlinks are left out. */
export function parseLsTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, sha, size] = record.slice(0, tab).split(/ +/);
    if (type !== "blob" || mode === "120000" || !sha) continue;
    entries.push({ path: record.slice(tab + 1), blobSha: sha, size: Number(size) });
  }
  return entries;
}

/**
 * Reads blobs through one `git cat-file --batch` process: shas in on stdin, "<sha> <type> <size>\n<bytes>\n"
 * (or "<sha> missing\n") out, parsed as the bytes stream in.
 */
function catFileBatch(dir: string, shas: string[]): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const found = new Map<string, Buffer>();
    const child = spawn("git", ["-C", dir, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    let pending: Buffer = Buffer.alloc(0);
    let current: { sha: string; size: number } | null = null;
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      for (;;) {
        if (!current) {
          const nl = pending.indexOf(10);
          if (nl < 0) return;
          const header = pending.subarray(0, nl).toString("utf8").split(" ");
          pending = pending.subarray(nl + 1);
          if (header[1] === "missing" || header.length < 3) continue;
          current = { sha: header[0]!, size: Number(header[2]) };
        }
        if (pending.length < current.size + 1) return;
        found.set(current.sha, Buffer.from(pending.subarray(0, current.size)));
        pending = pending.subarray(current.size + 1);
        current = null;
      }
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(found) : reject(new Error(`git cat-file --batch in ${dir} exited ${code}: ${stderr.trim()}`))));
    child.stdin.on("error", () => {}); // an early exit surfaces through "close"
    child.stdin.end(shas.join("\n") + "\n");
  });
}

/** The local checkout (the app's own, or REPO_PATH), read with `git` itself at a commit — never the working tree. */
export function createLocalGitSource(repoId: string, dir: string): RepoSource {
  return {
    kind: "local",
    repoId,
    async defaultBranch() {
      const remote = await git(dir, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]).catch(() => "");
      if (remote.trim()) return remote.trim().replace(/^origin\//, "");
      return (await git(dir, ["rev-parse", "--abbrev-ref", "HEAD"])).trim();
    },
    async snapshot(ref = "HEAD"): Promise<RepoSnapshot> {
      if (ref.startsWith("-")) throw new Error(`Bad ref "${ref}".`);
      const commitSha = (await git(dir, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])).trim();
      const entries = parseLsTree(await git(dir, ["ls-tree", "-r", "-l", "-z", "--full-tree", commitSha]));
      return { commitSha, entries };
    },
    async readBlobs(shas: string[]) {
      const wanted = [...new Set(shas)].filter((s) => SHA.test(s));
      if (wanted.length === 0) return new Map();
      return catFileBatch(dir, wanted);
    },
  };
}
