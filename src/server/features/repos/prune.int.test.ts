import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { createDeps, type Deps } from "@/server/deps";
import { fileVectorId, folderVectorId } from "@/server/features/repos/indexer/vector-ids";
import { memoryVectorStore, type MemoryVectorStore } from "../../../../tests/fakes/vectors";
import { closeDeps } from "../../../../tests/support/deps";
import { TempGitRepo } from "../../../../tests/support/git-repo";
import { scratchDatabase } from "../../../../tests/support/scratch-db";
import { reposJobs } from "./jobs";
import { syncRepos } from "./registry";

/** Index rows and vectors for these files of a repo, as the indexer would have left them. */
async function seedIndex(deps: Deps, store: MemoryVectorStore, repoId: string, paths: string[], folders: string[]) {
  const vectors = [];
  for (const p of paths) {
    await deps.db.repoFile.create({ data: { repoId, path: p, blobSha: "0".repeat(40), size: 10, summarySource: "extractive", summary: p, symbols: [] } });
    const id = randomUUID();
    await deps.db.codeChunk.create({ data: { id, repoId, path: p, blobSha: "0".repeat(40), startLine: 1, endLine: 2, kind: "window", content: "x" } });
    vectors.push({ id, values: [1, 0], metadata: { path: p } }, { id: fileVectorId(repoId, p), values: [0, 1], metadata: { path: p } });
  }
  for (const f of folders) {
    await deps.db.folderSummary.create({ data: { repoId, path: f, summary: f, fileCount: 1 } });
    vectors.push({ id: folderVectorId(repoId, f), values: [1, 1], metadata: { path: f } });
  }
  await store.upsert(repoId, vectors);
}

describe("vectors-prune", () => {
  let deps: Deps;
  let store: MemoryVectorStore;
  let drop: () => Promise<void>;
  let localId: string;
  const git = new TempGitRepo();
  const ctx = (data: Record<string, unknown>) => ({ deps, runId: randomUUID(), trigger: "manual" as const, signal: new AbortController().signal, log: () => {}, data });
  const job = reposJobs.find((j) => j.name === "vectors-prune")!;

  beforeAll(async () => {
    git.write({ "a.ts": "export const a = 1;\n", "lib/b.ts": "export const b = 2;\n", "old/c.ts": "export const c = 3;\n" }).commit("first");
    git.remove("old/c.ts").commit("drop c");
    const db = await scratchDatabase();
    deps = await createDeps({ env: parseEnv({ NODE_ENV: "test", REPO_PATH: git.dir }), database: db.config, kv: createKeyValueStore({}) });
    store = memoryVectorStore();
    deps.vectors = store;
    drop = async () => {
      await closeDeps(deps);
      await db.drop();
    };
    localId = (await syncRepos(deps))[0]!.id;
    await seedIndex(deps, store, localId, ["a.ts", "lib/b.ts", "old/c.ts"], ["", "lib", "old"]);
    await deps.db.repo.create({ data: { id: "acme/retired", source: "github", defaultBranch: "main", indexedSha: "1".repeat(40), indexState: "ready" } });
    await seedIndex(deps, store, "acme/retired", ["x.ts", "y/z.ts"], ["", "y"]);
  });
  afterAll(async () => {
    await drop();
    git.cleanup();
  });

  it("a dry run reports what would go and removes nothing", async () => {
    const summary = await job.run(ctx({ dryRun: true }));
    expect(summary).toMatchObject({ dryRun: true, repos: 2, files: 3, chunks: 3, folders: 3, vectors: 9 });
    const pruned = (summary as { pruned: { repoId: string; reason: string; samplePaths: string[] }[] }).pruned;
    expect(pruned.map((p) => [p.repoId, p.reason, p.samplePaths])).toEqual([
      ["acme/retired", "unconfigured", ["x.ts", "y/z.ts"]],
      [localId, "gone-files", ["old/c.ts"]],
    ]);
    expect(await deps.db.codeChunk.count()).toBe(5);
    expect(store.namespaces.get("acme/retired")?.size).toBe(6);
    expect(await deps.db.auditEvent.count({ where: { action: "repo.prune" } })).toBe(0);
  });

  it("removes the index of an unconfigured repo and the files gone from the default branch, audited, and nothing else", async () => {
    const summary = await job.run(ctx({}));
    expect(summary).toMatchObject({ dryRun: false, repos: 2, files: 3, chunks: 3, folders: 3, vectors: 9 });
    expect(await deps.db.repoFile.findMany({ select: { repoId: true, path: true }, orderBy: { path: "asc" } })).toEqual([
      { repoId: localId, path: "a.ts" },
      { repoId: localId, path: "lib/b.ts" },
    ]);
    expect((await deps.db.folderSummary.findMany({ orderBy: { path: "asc" } })).map((f) => [f.repoId, f.path])).toEqual([
      [localId, ""],
      [localId, "lib"],
    ]);
    expect(await deps.db.codeChunk.count()).toBe(2);
    expect(store.namespaces.get("acme/retired")?.size ?? 0).toBe(0);
    expect(store.namespaces.get(localId)?.size).toBe(6);
    expect(store.namespaces.get(localId)?.has(fileVectorId(localId, "old/c.ts"))).toBe(false);
    expect(await deps.db.repo.findUnique({ where: { id: "acme/retired" } })).toMatchObject({ indexState: "never", indexedSha: null });
    const events = await deps.db.auditEvent.findMany({ where: { action: "repo.prune" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.target)).toEqual(["acme/retired", localId]);
    // a second run finds nothing left
    expect(await job.run(ctx({}))).toMatchObject({ repos: 0, files: 0, vectors: 0 });
  });
});
