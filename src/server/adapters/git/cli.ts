import { execFile } from "node:child_process";

/**
 * Runs `git` itself (no shell) in a checkout. Arguments are passed as a list, and callers put
 * user-supplied values only where git cannot read them as options (after `--`, or validated).
 */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = "GitError";
  }
}

export function git(dir: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["-C", dir, ...args],
      { maxBuffer: MAX_OUTPUT_BYTES, timeout: opts.timeoutMs ?? 30_000, encoding: "utf8", env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" } },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof err.code === "number" ? err.code : null;
          reject(new GitError(`git ${args[0]} failed: ${(stderr || err.message).trim().split("\n")[0]}`, code));
        } else resolve(stdout);
      },
    );
  });
}

const topLevels = new Map<string, string>();

/**
 * The top folder of the checkout holding `dir`, or null when it is not in one (or git is missing).
 * Found once per folder: requests resolve the configured checkout on every call.
 */
export async function gitTopLevel(dir: string): Promise<string | null> {
  const known = topLevels.get(dir);
  if (known) return known;
  try {
    const top = (await git(dir, ["rev-parse", "--show-toplevel"])).trim() || null;
    if (top) topLevels.set(dir, top);
    return top;
  } catch {
    return null;
  }
}
