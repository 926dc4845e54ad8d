import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalGitSource } from "@/server/adapters/repo-source/local-git";
import type { Deps } from "@/server/deps";
import { closeDeps, testDeps } from "../../../../../tests/support/deps";
import { CountingEmbedder, EchoSummarizer, MemoryVectorStore } from "../../../../../tests/fakes/index-fakes";
import { TempGitRepo } from "../../../../../tests/support/git-repo";
import { chunkText } from "./chunker";
import { languageOf } from "./language";
import { indexRepo } from "./run";
import { fileVectorId, folderVectorId } from "./vector-ids";

let deps: Deps;
const repos: TempGitRepo[] = [];
const TOKEN = "ghp_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8";

beforeAll(async () => {
  deps = await testDeps();
});
afterAll(async () => {
  await deps.db.repo.deleteMany({ where: { id: { startsWith: "local/itest-" } } });
  await closeDeps(deps);
  for (const r of repos) r.cleanup();
});

function newRepo() {
  const repo = new TempGitRepo();
  repos.push(repo);
  return { repo, id: `local/itest-${randomUUID().slice(0, 8)}` };
}

async function state(repoId: string) {
  const files = await deps.db.repoFile.findMany({ where: { repoId }, orderBy: { path: "asc" } });
  const chunks = await deps.db.codeChunk.findMany({ where: { repoId }, orderBy: [{ path: "asc" }, { startLine: "asc" }] });
  const folders = await deps.db.folderSummary.findMany({ where: { repoId }, orderBy: { path: "asc" } });
  return { files, chunks, folders, paths: files.map((f) => f.path) };
}

describe("local git source", () => {
  it("lists the blobs of a commit and reads them in one batch", async () => {
    const { repo, id } = newRepo();
    repo.write({ "a.ts": "export const a = 1;\n", "dir/b.md": "# B\n" }).commit("one");
    repo.git("submodule", "status"); // no submodules: entries are blobs only
    const source = createLocalGitSource(id, repo.dir);
    expect(await source.defaultBranch()).toBe("main");
    const snap = await source.snapshot();
    expect(snap.commitSha).toBe(repo.git("rev-parse", "HEAD").trim());
    expect(snap.entries.map((e) => [e.path, e.size])).toEqual([
      ["a.ts", 20],
      ["dir/b.md", 4],
    ]);
    const blobs = await source.readBlobs([...snap.entries.map((e) => e.blobSha), "0".repeat(40)]);
    expect(blobs.size).toBe(2);
    expect(blobs.get(snap.entries[1]!.blobSha)!.toString()).toBe("# B\n");
    // the working tree is not the index: uncommitted edits are not seen
    repo.write({ "a.ts": "changed\n" });
    expect((await source.snapshot()).entries[0]!.blobSha).toBe(snap.entries[0]!.blobSha);
    await expect(source.snapshot("no-such-branch")).rejects.toThrow(/rev-parse/);
  });
});

describe("index follows the repository", () => {
  it("indexes, then follows an add, a change, a rename and a delete exactly — in every store", async () => {
    const { repo, id } = newRepo();
    const files: Record<string, string> = {
      "src/billing/invoice.ts": "/** Invoices. */\nimport { db } from '../db';\n\nexport function createInvoice() {\n  return db.insert();\n}\n\nexport const VAT = 0.2;\n",
      "src/db.ts": "export const db = { insert() { return 1; } };\n",
      "app/store.py": '"""Store."""\n\ndef load():\n    return 1\n',
      "lib/util.go": "package lib\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n",
      "README.md": "# Demo\n\nA demo repo.\n",
    };
    repo
      .write({ ...files, ".env": `GITHUB_TOKEN=${TOKEN}\n`, "node_modules/x/index.js": "module.exports = 1;\n", "logo.png": Buffer.from([0x89, 0x50]), "data.txt": Buffer.from([1, 0, 2, 3]) })
      .commit("init");
    const source = createLocalGitSource(id, repo.dir);
    const vectors = new MemoryVectorStore();
    const embedder = new CountingEmbedder();
    const first = await indexRepo({ db: deps.db, audit: deps.audit, embedder, vectors }, { source, trigger: "cli", localPath: repo.dir });

    expect(first).toMatchObject({ added: 5, changed: 0, removed: 0, skipped: 4, unchanged: 0 });
    let s = await state(id);
    expect(s.paths).toEqual(Object.keys(files).sort());
    const expectedChunks = (fs: Record<string, string>) => Object.entries(fs).reduce((n, [p, t]) => n + chunkText(t, languageOf(p)).length, 0);
    expect(s.chunks).toHaveLength(expectedChunks(files));
    expect(first.chunks).toBe(s.chunks.length);
    expect(s.chunks.find((c) => c.symbol === "createInvoice")).toMatchObject({ path: "src/billing/invoice.ts", startLine: 4, endLine: 6, kind: "declaration" });
    expect(s.files.find((f) => f.path === "src/billing/invoice.ts")).toMatchObject({ language: "typescript", summarySource: "extractive", symbols: ["createInvoice", "VAT"] });
    expect(s.folders.map((f) => [f.path, f.fileCount])).toEqual([
      ["", 5],
      ["app", 1],
      ["lib", 1],
      ["src", 2],
      ["src/billing", 1],
    ]);
    // vectors: one per chunk, per file and per folder
    expect(vectors.ids(id)).toEqual([...s.chunks.map((c) => c.id), ...s.paths.map((p) => fileVectorId(id, p)), ...s.folders.map((f) => folderVectorId(id, f.path))].sort());
    const repoRow = await deps.db.repo.findUniqueOrThrow({ where: { id } });
    expect(repoRow).toMatchObject({ indexState: "ready", indexedSha: first.toSha, indexLockRunId: null });
    const run = await deps.db.indexRun.findUniqueOrThrow({ where: { id: first.runId } });
    expect(run).toMatchObject({ status: "succeeded", trigger: "cli", filesAdded: 5, filesSkipped: 4, chunks: s.chunks.length, tokensEmbedded: first.tokensEmbedded, filesDone: 6, filesTotal: 6 });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    const audit = await deps.db.auditEvent.findFirstOrThrow({ where: { action: "repo.index", target: id } });
    expect(audit).toMatchObject({ actorType: "system", actorId: "indexer", outcome: "success", requestId: first.runId });

    // change one file, rename one, delete one, add one
    repo.write({ "src/db.ts": "export const db = { insert() { return 2; } };\n\nexport function close() {}\n", "src/billing/refund.ts": "export function refund() {}\n" });
    repo.move("app/store.py", "core/store.py");
    repo.remove("lib/util.go");
    repo.commit("second");
    const second = await indexRepo({ db: deps.db, audit: deps.audit, embedder, vectors }, { source: createLocalGitSource(id, repo.dir), trigger: "cli" });
    expect(second).toMatchObject({ added: 2, changed: 1, removed: 2, unchanged: 2, fromSha: first.toSha });
    s = await state(id);
    const now = {
      ...files,
      "src/db.ts": "export const db = { insert() { return 2; } };\n\nexport function close() {}\n",
      "src/billing/refund.ts": "export function refund() {}\n",
      "core/store.py": files["app/store.py"]!,
    };
    delete (now as Record<string, string>)["app/store.py"];
    delete (now as Record<string, string>)["lib/util.go"];
    expect(s.paths).toEqual(Object.keys(now).sort());
    expect(s.chunks).toHaveLength(expectedChunks(now));
    expect(s.chunks.filter((c) => c.path === "src/db.ts").map((c) => c.symbol)).toEqual(["db", "close"]);
    expect(s.folders.map((f) => [f.path, f.fileCount])).toEqual([
      ["", 5],
      ["core", 1],
      ["src", 3],
      ["src/billing", 2],
    ]);
    expect(vectors.ids(id)).toEqual([...s.chunks.map((c) => c.id), ...s.paths.map((p) => fileVectorId(id, p)), ...s.folders.map((f) => folderVectorId(id, f.path))].sort());
  });

  it("never lets a secret reach chunks, summaries, the model or the embedder", async () => {
    const { repo, id } = newRepo();
    const url = "postgres://app:Sup3rS3cretPw@db.internal:5432/app";
    repo
      .write({
        "src/config.ts": `/** Config; token ${TOKEN}. */\nexport const token = "${TOKEN}";\nexport const dbUrl = "${url}";\n`,
        ".env.production": `TOKEN=${TOKEN}\n`,
        "deploy/key.pem": "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
      })
      .commit();
    const embedder = new CountingEmbedder();
    const summarizer = new EchoSummarizer();
    const result = await indexRepo({ db: deps.db, audit: deps.audit, embedder, summarizer, vectors: new MemoryVectorStore() }, { source: createLocalGitSource(id, repo.dir), trigger: "cli" });
    expect(result).toMatchObject({ added: 1, skipped: 2 });
    expect(result.redactions).toBeGreaterThanOrEqual(3);
    const s = await state(id);
    const everything = JSON.stringify([s, embedder.texts, summarizer.inputs]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain("Sup3rS3cretPw");
    expect(everything).not.toContain("BEGIN PRIVATE KEY");
    expect(s.chunks.map((c) => c.content).join("\n")).toContain("postgres://app:[redacted]@db.internal:5432/app");
    expect(s.files[0]).toMatchObject({ path: "src/config.ts", summarySource: "model", summary: "Model summary of file src/config.ts" });
    expect(s.folders.find((f) => f.path === "")?.summary).toBe("Model summary of folder /");
  });
});
