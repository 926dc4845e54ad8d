import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A real git repository in a temp folder, for the local-git source and the indexer. */
export class TempGitRepo {
  readonly dir = mkdtempSync(path.join(tmpdir(), "oo-git-"));

  constructor() {
    this.git("init", "-q", "-b", "main");
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-C", this.dir, "-c", "user.email=test@example.com", "-c", "user.name=Test", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8" });
  }

  write(files: Record<string, string | Buffer>): this {
    for (const [p, content] of Object.entries(files)) {
      const full = path.join(this.dir, p);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    return this;
  }

  remove(...paths: string[]): this {
    this.git("rm", "-q", "--", ...paths);
    return this;
  }

  move(from: string, to: string): this {
    mkdirSync(path.dirname(path.join(this.dir, to)), { recursive: true });
    this.git("mv", from, to);
    return this;
  }

  commit(message = "change"): string {
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD").trim();
  }

  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
