import { randomUUID } from "node:crypto";
import type { Db } from "@/server/adapters/db";
import type { Embedder, Summarizer } from "@/server/adapters/embeddings/types";
import type { RepoSource, TreeEntry } from "@/server/adapters/repo-source/types";
import type { VectorStore } from "@/server/adapters/vectors/types";
import type { AuditLog } from "@/server/core/audit/log";
import { skipByPath } from "./filter";
import { foldersOf, refreshFolders } from "./folders";
import { acquireIndexLock, LEASE_MS, releaseIndexLock, renewIndexLock } from "./lock";
import { modelSummaries, prepareFile, type PreparedFile } from "./prepare";
import { chunkIdsOf, indexedFiles, mergePendingEntries, writeBatch, type BatchCounts } from "./store";
import { fileVectorId, folderVectorId } from "./vector-ids";
import { deleteVectors, upsertFileVectors, upsertFolderVectors, type VectorSink } from "./vector-sync";
import { finishRun, startRun } from "./run-record";

/**
 * One index run of one repo: diff the source's snapshot (git blob shas) against `repo_file`, then
 * read, redact, chunk, summarize and embed only the added and changed files, in batches that each
 * commit on their own (a crash loses at most the batch in flight; ids are deterministic, so the next
 * run overwrites rather than duplicates), and delete removed files from every store. Vectors are
 * written before the rows that name them, so no committed row points at a missing vector.
 */
export interface IndexDeps {
  db: Db;
  audit: AuditLog;
  embedder?: Embedder | null;
  summarizer?: Summarizer | null;
  vectors?: VectorStore | null;
}

export type IndexTrigger = "cli" | "cron" | "webhook" | "dashboard" | "worker";

export interface IndexProgress {
  phase: "snapshot" | "files" | "folders" | "done";
  done: number;
  total: number;
}

export interface IndexOptions {
  source: RepoSource;
  trigger: IndexTrigger;
  /** Re-read every file, not only the changed ones. */
  full?: boolean;
  ref?: string;
  /** A queued `index_run` row to carry out (webhook, dashboard); otherwise a new one is created. */
  runId?: string;
  localPath?: string | null;
  batchSize?: number;
  /** How long to wait for another run of the same repo to finish; 0 (default) fails at once with IndexBusyError. */
  waitMs?: number;
  onProgress?: (p: IndexProgress) => void;
  /** Batches embedded and written at once (default 1; more on a real Postgres, whose pool can take them). */
  writers?: number;
  /** Called after each committed batch (tests use it to crash a run half way). */
  afterBatch?: (batch: number) => void | Promise<void>;
}

export interface IndexResult {
  runId: string;
  repoId: string;
  fromSha: string | null;
  toSha: string;
  filesTotal: number;
  unchanged: number;
  added: number;
  changed: number;
  removed: number;
  skipped: number;
  chunks: number;
  tokensEmbedded: number;
  redactions: number;
  durationMs: number;
  /** Milliseconds spent in each phase: snapshot (list the tree), diff, files (read … write), folders, merge (the full-text indexes' pending entries), record. */
  phases: Record<"snapshot" | "diff" | "files" | "folders" | "merge" | "record", number>;
  warnings: string[];
}

async function ensureRepo(db: Db, source: RepoSource, localPath: string | null) {
  const existing = await db.repo.findUnique({ where: { id: source.repoId } });
  if (existing) return existing;
  const defaultBranch = await source.defaultBranch();
  return db.repo.upsert({ where: { id: source.repoId }, create: { id: source.repoId, source: source.kind, defaultBranch, localPath }, update: {} });
}

export async function indexRepo(deps: IndexDeps, opts: IndexOptions): Promise<IndexResult> {
  const { db } = deps;
  const t0 = performance.now();
  const repo = await ensureRepo(db, opts.source, opts.localPath ?? null);
  const runId = opts.runId ?? randomUUID();
  await acquireIndexLock(db, repo.id, runId, opts.waitMs ?? 0);
  const heartbeat = setInterval(() => void renewIndexLock(db, repo.id, runId).catch(() => {}), LEASE_MS / 4);
  heartbeat.unref();
  const warnings: string[] = [];
  const warn = (m: string) => void (warnings.length < 100 && warnings.push(m));
  const result: IndexResult = {
    runId,
    repoId: repo.id,
    fromSha: repo.indexedSha,
    toSha: "",
    filesTotal: 0,
    unchanged: 0,
    added: 0,
    changed: 0,
    removed: 0,
    skipped: 0,
    chunks: 0,
    tokensEmbedded: 0,
    redactions: 0,
    durationMs: 0,
    warnings,
    phases: { snapshot: 0, diff: 0, files: 0, folders: 0, merge: 0, record: 0 },
  };
  let mark = performance.now();
  const phase = (name: keyof IndexResult["phases"]) => {
    const now = performance.now();
    result.phases[name] = Math.round(now - mark);
    mark = now;
  };
  try {
    await startRun(db, { runId, repoId: repo.id, trigger: opts.trigger, full: Boolean(opts.full), fromSha: repo.indexedSha, queued: Boolean(opts.runId) });
    opts.onProgress?.({ phase: "snapshot", done: 0, total: 0 });
    const snapshot = await opts.source.snapshot(opts.ref);
    result.toSha = snapshot.commitSha;
    phase("snapshot");
    const known = await indexedFiles(db, repo.id);
    const wanted: TreeEntry[] = [];
    const present = new Set<string>();
    for (const e of snapshot.entries) {
      if (skipByPath(e.path, e.size)) {
        result.skipped++;
        continue;
      }
      present.add(e.path);
      if (!opts.full && known.get(e.path) === e.blobSha) result.unchanged++;
      else wanted.push(e);
    }
    const gone = [...known.keys()].filter((p) => !present.has(p));
    result.filesTotal = wanted.length + gone.length;
    await db.indexRun.update({ where: { id: runId }, data: { toSha: snapshot.commitSha, filesTotal: result.filesTotal, filesSkipped: result.skipped } });
    phase("diff");
    const sink: VectorSink | null = deps.embedder && deps.vectors ? { embedder: deps.embedder, store: deps.vectors } : null;
    const batchSize = opts.batchSize ?? 100;
    let done = 0;
    const progress = (phase: IndexProgress["phase"]) => opts.onProgress?.({ phase, done, total: result.filesTotal });

    for (let i = 0; i < gone.length; i += batchSize) {
      const paths = gone.slice(i, i + batchSize);
      if (sink) await deleteVectors(sink, repo.id, [...(await chunkIdsOf(db, repo.id, paths)), ...paths.map((p) => fileVectorId(repo.id, p))]);
      done += paths.length;
      await writeBatch(db, repo.id, runId, [], paths, { ...zero(), removed: paths.length, done: paths.length });
      result.removed += paths.length;
      progress("files");
    }

    // read and prepare the next batch while the current one is embedded and written
    const prepare = async (entries: TreeEntry[]) => {
      const blobs = await opts.source.readBlobs(entries.map((e) => e.blobSha));
      const files: PreparedFile[] = [];
      const nowBinary: string[] = [];
      const counts = zero();
      for (const e of entries) {
        const bytes = blobs.get(e.blobSha);
        if (!bytes) {
          warn(`${e.path}: blob ${e.blobSha} could not be read`);
          continue;
        }
        const prepared = prepareFile(repo.id, e, bytes);
        if (prepared === "binary") {
          counts.skipped++;
          if (known.has(e.path)) nowBinary.push(e.path);
          continue;
        }
        files.push(prepared);
        if (known.has(e.path)) counts.changed++;
        else counts.added++;
        counts.chunks += prepared.chunks.length;
        result.redactions += prepared.redactions;
      }
      if (deps.summarizer) await modelSummaries(files, deps.summarizer, warn);
      return { entries, files, nowBinary, counts };
    };
    const batches: TreeEntry[][] = [];
    for (let i = 0; i < wanted.length; i += batchSize) batches.push(wanted.slice(i, i + batchSize));
    const store = async ({ entries, files, nowBinary, counts }: Awaited<ReturnType<typeof prepare>>, batch: number) => {
      if (sink) {
        const fresh = new Set(files.flatMap((f) => f.chunks.map((c) => c.id)));
        const stale = (await chunkIdsOf(db, repo.id, [...files.map((f) => f.path), ...nowBinary])).filter((id) => !fresh.has(id));
        await deleteVectors(sink, repo.id, [...stale, ...nowBinary.map((p) => fileVectorId(repo.id, p))]);
        counts.tokens = await upsertFileVectors(sink, repo.id, files);
      }
      counts.removed = nowBinary.length;
      counts.done = entries.length;
      await writeBatch(db, repo.id, runId, files, nowBinary, counts);
      for (const k of ["added", "changed", "removed", "skipped", "chunks"] as const) result[k] += counts[k];
      result.tokensEmbedded += counts.tokens;
      done += entries.length;
      progress("files");
      await renewIndexLock(db, repo.id, runId);
      await opts.afterBatch?.(batch);
    };
    // up to `writers` batches are embedded and written at once (a real Postgres has a pool; PGlite one connection)
    const writers = Math.max(1, opts.writers ?? 1);
    const inflight = new Set<Promise<void>>();
    try {
      let next = batches.length ? prepare(batches[0]!) : null;
      for (let b = 0; b < batches.length; b++) {
        const prepared = await next!;
        next = b + 1 < batches.length ? prepare(batches[b + 1]!) : null;
        next?.catch(() => {}); // surfaces when awaited; a failing batch must not leave it unhandled
        const task: Promise<void> = store(prepared, b + 1).finally(() => inflight.delete(task));
        inflight.add(task);
        if (inflight.size >= writers) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    } catch (err) {
      await Promise.allSettled(inflight); // nothing may still be writing when the run is recorded as failed
      throw err;
    }

    phase("files");
    progress("folders");
    const touched = [...wanted.map((e) => e.path), ...gone];
    const existingFolders = touched.length && opts.full ? (await db.folderSummary.findMany({ where: { repoId: repo.id }, select: { path: true } })).map((f) => `${f.path}/x`) : [];
    const folders = await refreshFolders(db, repo.id, foldersOf([...touched, ...existingFolders]), deps.summarizer ?? null, warn);
    if (sink) {
      await deleteVectors(
        sink,
        repo.id,
        folders.removed.map((p) => folderVectorId(repo.id, p)),
      );
      result.tokensEmbedded += await upsertFolderVectors(sink, repo.id, folders.upserted);
    }
    phase("folders");
    await mergePendingEntries(db).catch((e: Error) => warn(`full-text index merge: ${e.message}`));
    phase("merge");
    result.durationMs = Math.round(performance.now() - t0);
    await finishRun(deps, result, null);
    phase("record");
    progress("done");
    return result;
  } catch (err) {
    result.durationMs = Math.round(performance.now() - t0);
    await mergePendingEntries(db).catch(() => {}); // the batches that did commit are searchable at full speed
    await finishRun(deps, result, err as Error).catch((e: Error) => console.error(`[index] could not record the failed run ${runId}: ${e.message}`));
    throw err;
  } finally {
    clearInterval(heartbeat);
    await releaseIndexLock(db, repo.id, runId).catch(() => {});
  }
}

function zero(): BatchCounts {
  return { added: 0, changed: 0, removed: 0, skipped: 0, chunks: 0, tokens: 0, done: 0 };
}
