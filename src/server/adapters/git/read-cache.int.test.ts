import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localCommits, localRepoInfo } from "@/server/features/github/local";
import { TempGitRepo } from "../../../../tests/support/git-repo";
import { GitReadCache, refStamp } from "./read-cache";

/** Answers from a local checkout are computed once per state of its refs, and never outlive a move of one. */
const repos: TempGitRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

function repo(): TempGitRepo {
  const r = new TempGitRepo();
  repos.push(r);
  r.write({ "a.ts": "export const a = 1;\n" }).commit("first");
  return r;
}

function counted(cache: GitReadCache, dir: string, refs: string[]) {
  let runs = 0;
  return {
    read: () => cache.read(dir, refs, "k", async () => ++runs),
    runs: () => runs,
  };
}

describe("GitReadCache", () => {
  it("computes once while no ref moves, and again after a commit on the checked-out branch", async () => {
    const r = repo();
    const c = counted(new GitReadCache(), r.dir, ["main"]);
    expect(await Promise.all([c.read(), c.read(), c.read()])).toEqual([1, 1, 1]);
    expect(await c.read()).toBe(1);
    r.write({ "b.ts": "export const b = 2;\n" }).commit("second");
    expect(await c.read()).toBe(2);
    expect(await c.read()).toBe(2);
  });

  it("sees a checkout of another branch, a move of a named branch that is not checked out, and packed refs", async () => {
    const r = repo();
    r.git("branch", "other");
    const c = counted(new GitReadCache(), r.dir, ["main", "other"]);
    expect(await c.read()).toBe(1);
    r.git("checkout", "-q", "other");
    expect(await c.read()).toBe(2);
    r.git("checkout", "-q", "main");
    r.commit("on main");
    expect(await c.read()).toBe(3);
    r.git("branch", "-f", "other", "main");
    expect(await c.read()).toBe(4);
    r.git("pack-refs", "--all");
    const afterPack = await c.read();
    r.git("update-ref", "refs/heads/other", r.git("rev-parse", "HEAD~1").trim());
    expect(await c.read()).toBe(afterPack + 1);
  });

  it("follows a linked worktree's own HEAD", async () => {
    const r = repo();
    const parent = mkdtempSync(path.join(tmpdir(), "oo-wt-"));
    const wt = path.join(parent, "wt");
    r.git("worktree", "add", "-q", "-b", "side", wt);
    try {
      const before = await refStamp(wt, ["main"]);
      r.git("-C", wt, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "--allow-empty", "-m", "in worktree");
      expect(await refStamp(wt, ["main"])).not.toBe(before);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("does not keep a failure", async () => {
    const r = repo();
    const cache = new GitReadCache();
    await expect(cache.read(r.dir, [], "k", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await cache.read(r.dir, [], "k", async () => "ok")).toBe("ok");
  });
});

describe("local checkout reads", () => {
  it("answer a new commit and a new head after the branch moves", async () => {
    const r = repo();
    const first = await localCommits("local/x", r.dir, "main", { limit: 10 });
    expect(first.items.map((c) => c.message)).toEqual(["first"]);
    const sha = r.write({ "c.py": "print(1)\n" }).commit("add python");
    const second = await localCommits("local/x", r.dir, "main", { limit: 10 });
    expect(second.items.map((c) => c.message)).toEqual(["add python", "first"]);
    const info = await localRepoInfo("local/x", r.dir, "main");
    expect(info.headCommit?.sha).toBe(sha);
    expect(info.languages.map((l) => l.language).sort()).toEqual(["Python", "TypeScript"]);
  });
});
