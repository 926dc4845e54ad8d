import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalGitSource } from "@/server/adapters/repo-source/local-git";
import type { RepoSource } from "@/server/adapters/repo-source/types";
import type { Deps } from "@/server/deps";
import { closeDeps, testDeps } from "../../../../../tests/support/deps";
import { CountingEmbedder, MemoryVectorStore } from "../../../../../tests/fakes/index-fakes";
import { TempGitRepo } from "../../../../../tests/support/git-repo";
import { runQueuedIndexJobs } from "./jobs";
import { acquireIndexLock, IndexBusyError, releaseIndexLock } from "./lock";
import { indexRepo, type IndexDeps } from "./run";

let deps: Deps;
const repos: TempGitRepo[] = [];

beforeAll(async () => {
  deps = await testDeps();
});
afterAll(async () => {
  await deps.db.repo.deleteMany({ where: { id: { startsWith: "local/rtest-" } } });
  await closeDeps(deps);
  for (const r of repos) r.cleanup();
});

/** A repo of `n` small TypeScript files, committed. */
function corpus(n: number) {
  const repo = new TempGitRepo();
  repos.push(repo);
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`src/m${Math.floor(i / 5)}/f${i}.ts`] = `/** Module ${i}. */\nexport function fn${i}(x: number) {\n  return x + ${i};\n}\n\nexport const C${i} = ${i};\n`;
  repo.write(files).commit("init");
  return { repo, id: `local/rtest-${randomUUID().slice(0, 8)}` };
}

/** Counts what the indexer reads from the source. */
function countingSource(inner: RepoSource) {
  const reads: string[] = [];
  const source: RepoSource = {
    ...inner,
    kind: inner.kind,
    repoId: inner.repoId,
    defaultBranch: () => inner.defaultBranch(),
    snapshot: (r) => inner.snapshot(r),
    readBlobs: (shas) => (reads.push(...shas), inner.readBlobs(shas)),
  };
  return { source, reads };
}

const chunkRows = async (repoId: string) => deps.db.codeChunk.findMany({ where: { repoId }, select: { id: true } });

describe("index runs are crash-safe", () => {
  it("a run that dies half way is finished by the next one, without duplicates and with the right counts", async () => {
    const { repo, id } = corpus(10);
    const vectors = new MemoryVectorStore();
    const source = createLocalGitSource(id, repo.dir);
    // the embedder fails on its second batch: batch 1 (4 files) is committed, the rest is not
    const broken: IndexDeps = { db: deps.db, audit: deps.audit, embedder: new CountingEmbedder(2), vectors };
    await expect(indexRepo(broken, { source, trigger: "cli", batchSize: 4 })).rejects.toThrow(/embedder down/);
    const failed = await deps.db.indexRun.findFirstOrThrow({ where: { repoId: id } });
    expect(failed).toMatchObject({ status: "failed", filesAdded: 4, filesDone: 4, filesTotal: 10, error: expect.stringMatching(/embedder down/) });
    expect(await deps.db.repo.findUniqueOrThrow({ where: { id } })).toMatchObject({ indexState: "failed", indexedSha: null, indexLockRunId: null });
    expect(await deps.db.repoFile.count({ where: { repoId: id } })).toBe(4);
    expect(await deps.db.auditEvent.count({ where: { action: "repo.index", target: id, outcome: "failure" } })).toBe(1);

    const embedder = new CountingEmbedder();
    const { source: counted, reads } = countingSource(source);
    const done = await indexRepo({ db: deps.db, audit: deps.audit, embedder, vectors }, { source: counted, trigger: "cli", batchSize: 4 });
    expect(done).toMatchObject({ added: 6, changed: 0, unchanged: 4, removed: 0 });
    expect(reads).toHaveLength(6);
    const rows = await chunkRows(id);
    expect(rows).toHaveLength(20); // 2 declarations per file, each once
    expect(await deps.db.repoFile.count({ where: { repoId: id } })).toBe(10);
    const chunkVectors = vectors.ids(id).filter((v) => !v.startsWith("file:") && !v.startsWith("folder:"));
    expect(chunkVectors).toEqual(rows.map((r) => r.id).sort());

    // a full re-run (three batches written at once) rewrites the same ids: still no duplicates anywhere
    const full = await indexRepo({ db: deps.db, audit: deps.audit, embedder, vectors }, { source, trigger: "cli", full: true, batchSize: 3, writers: 3 });
    expect(full).toMatchObject({ changed: 10, added: 0 });
    expect(await chunkRows(id)).toHaveLength(20);
    expect(vectors.ids(id).filter((v) => !v.startsWith("file:") && !v.startsWith("folder:"))).toHaveLength(20);
  });
});

describe("one run per repo", () => {
  it("a second run exits with a clear message while the first holds the lease, or waits for it", async () => {
    const { repo, id } = corpus(3);
    const source = createLocalGitSource(id, repo.dir);
    const base = { db: deps.db, audit: deps.audit };
    await indexRepo(base, { source, trigger: "cli" });
    const holder = randomUUID();
    await acquireIndexLock(deps.db, id, holder);
    const busy = indexRepo(base, { source, trigger: "cron" });
    await expect(busy).rejects.toBeInstanceOf(IndexBusyError);
    await expect(busy).rejects.toThrow(new RegExp(`Repo ${id} is already being indexed by run ${holder}.*try again when it has finished`));
    expect(await deps.db.indexRun.count({ where: { repoId: id, trigger: "cron" } })).toBe(0);

    setTimeout(() => void releaseIndexLock(deps.db, id, holder), 300);
    const waited = await indexRepo(base, { source, trigger: "cron", waitMs: 10_000 });
    expect(waited.unchanged).toBe(3);

    // two runs started together: exactly one runs
    const both = await Promise.allSettled([indexRepo(base, { source, trigger: "cli", full: true }), indexRepo(base, { source, trigger: "cli", full: true })]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(both.find((r) => r.status === "rejected")?.reason).toBeInstanceOf(IndexBusyError);
  });
});

describe("incremental cost", () => {
  it("after one change, reads and embeds only that file (plus the folders on its path)", async () => {
    const { repo, id } = corpus(40);
    const vectors = new MemoryVectorStore();
    await indexRepo({ db: deps.db, audit: deps.audit, embedder: new CountingEmbedder(), vectors }, { source: createLocalGitSource(id, repo.dir), trigger: "cli" });
    repo.write({ "src/m3/f17.ts": "/** Changed. */\nexport function changed() {}\n" }).commit("one change");
    const embedder = new CountingEmbedder();
    const { source, reads } = countingSource(createLocalGitSource(id, repo.dir));
    const run = await indexRepo({ db: deps.db, audit: deps.audit, embedder, vectors }, { source, trigger: "cli" });
    expect(run).toMatchObject({ changed: 1, added: 0, removed: 0, unchanged: 39, chunks: 1 });
    expect(reads).toHaveLength(1);
    const fileTexts = embedder.texts.filter((t) => !/^(src\/m3|src|\/)\n/.test(t));
    expect(fileTexts.every((t) => t.startsWith("src/m3/f17.ts"))).toBe(true);
    expect(fileTexts).toHaveLength(2); // the file's summary and its one chunk
    expect(embedder.texts).toHaveLength(5); // + folders src/m3, src and the root
    expect(run.tokensEmbedded).toBe(embedder.texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0));
  });
});

describe("queued runs", () => {
  it("carries out the webhook's queued runs, one run per repo, closing the others as covered", async () => {
    const { repo, id } = corpus(2);
    const base = { db: deps.db, audit: deps.audit };
    await deps.db.repo.create({ data: { id, source: "local", defaultBranch: "main", localPath: repo.dir } });
    const a = await deps.db.indexRun.create({ data: { repoId: id, trigger: "webhook", status: "queued" } });
    const b = await deps.db.indexRun.create({ data: { repoId: id, trigger: "webhook", status: "queued", createdAt: new Date(Date.now() + 1000) } });
    const outcomes = await runQueuedIndexJobs(deps, { indexDeps: base });
    expect(outcomes.filter((o) => o.repoId === id)).toMatchObject([{ status: "succeeded", result: { runId: a.id, added: 2 } }]);
    expect(await deps.db.indexRun.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: "succeeded", trigger: "webhook", filesAdded: 2 });
    expect(await deps.db.indexRun.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: "succeeded", warnings: [`covered by run ${a.id}`] });
    expect(await runQueuedIndexJobs(deps, { indexDeps: base })).toEqual([]);
  });
});
