import { randomUUID } from "node:crypto";
import { eventFor } from "@/server/core/audit/log";
import { systemActor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import { fileVectorId, folderVectorId, vectorNamespace } from "@/server/features/repos/indexer/vector-ids";
import type { Repo } from "@/generated/prisma/client";
import { repoSourceFor, syncRepos } from "./registry";

/** Ids per vector delete call (Pinecone's limit is 1,000). */
const DELETE_BATCH = 1_000;
/** Paths listed per repo in a report; the counts are always whole. */
const SAMPLE = 20;

export interface RepoPrune {
  repoId: string;
  /** "unconfigured": the whole index of a repo no longer configured; "gone-files": files no longer on the default branch. */
  reason: "unconfigured" | "gone-files";
  files: number;
  chunks: number;
  folders: number;
  vectors: number;
  samplePaths: string[];
}

export interface PruneSummary {
  dryRun: boolean;
  repos: RepoPrune[];
  files: number;
  chunks: number;
  folders: number;
  vectors: number;
  /** Repos left alone this time, with why (an index run holds them, their source cannot be read). */
  skipped: { repoId: string; reason: string }[];
}

interface Doomed {
  repo: Repo;
  reason: RepoPrune["reason"];
  paths: string[];
  chunkIds: string[];
  folderPaths: string[];
}

/** What of a repo's index lies outside `keep` (null: everything). */
async function doomedOf(deps: Deps, repo: Repo, reason: RepoPrune["reason"], keep: Set<string> | null): Promise<Doomed> {
  const gone = (p: string) => keep === null || !keep.has(p);
  const files = await deps.db.repoFile.findMany({ where: { repoId: repo.id }, select: { path: true } });
  const chunks = await deps.db.codeChunk.findMany({ where: { repoId: repo.id }, select: { id: true, path: true } });
  const folders = await deps.db.folderSummary.findMany({ where: { repoId: repo.id }, select: { path: true } });
  const kept = keep === null ? [] : [...keep];
  // a folder stays while any kept file lies under it ("" is the root)
  const folderGone = (f: string) => keep === null || !kept.some((p) => f === "" || p.startsWith(`${f}/`));
  return {
    repo,
    reason,
    paths: files.map((f) => f.path).filter(gone),
    chunkIds: chunks.filter((c) => gone(c.path)).map((c) => c.id),
    folderPaths: folders.map((f) => f.path).filter(folderGone),
  };
}

async function deleteFromIndex(deps: Deps, d: Doomed): Promise<number> {
  const ids = [...d.chunkIds, ...d.paths.map((p) => fileVectorId(d.repo.id, p)), ...d.folderPaths.map((p) => folderVectorId(d.repo.id, p))];
  if (deps.vectors) for (let i = 0; i < ids.length; i += DELETE_BATCH) await deps.vectors.deleteIds(vectorNamespace(d.repo.id), ids.slice(i, i + DELETE_BATCH));
  await deps.audit.transact(async (tx, audit) => {
    await tx.codeChunk.deleteMany({ where: { id: { in: d.chunkIds } } });
    await tx.repoFile.deleteMany({ where: { repoId: d.repo.id, path: { in: d.paths } } });
    await tx.folderSummary.deleteMany({ where: { repoId: d.repo.id, path: { in: d.folderPaths } } });
    // a repo no longer configured keeps its row and run history, but no longer claims an index
    if (d.reason === "unconfigured") await tx.repo.update({ where: { id: d.repo.id }, data: { indexState: "never", indexedSha: null, indexedAt: null, updatedAt: new Date() } });
    await audit(
      eventFor(
        { actor: systemActor("vectors-prune"), requestId: randomUUID(), surface: "system" },
        {
          action: "repo.prune",
          resourceType: "repo",
          target: d.repo.id,
          detail: { reason: d.reason, files: d.paths.length, chunks: d.chunkIds.length, folders: d.folderPaths.length, vectors: deps.vectors ? ids.length : 0, samplePaths: d.paths.slice(0, SAMPLE) },
        },
      ),
    );
  });
  return deps.vectors ? ids.length : 0;
}

/**
 * Removes from the index (chunks, file and folder rows, and their vectors) what no longer has a
 * source: every repo no longer configured, and in configured repos the files gone from the default
 * branch. With `dryRun`, only reports what would go. Namespaces the vector store holds for repos
 * this database never registered are not seen (the store has no listing).
 */
export async function pruneIndex(deps: Deps, opts: { dryRun?: boolean; signal?: AbortSignal; log?: (m: string) => void } = {}): Promise<PruneSummary> {
  const log = opts.log ?? (() => {});
  const configured = await syncRepos(deps);
  const configuredIds = new Set(configured.map((r) => r.id));
  const registered = await deps.db.repo.findMany({ orderBy: { id: "asc" } });
  const summary: PruneSummary = { dryRun: Boolean(opts.dryRun), repos: [], files: 0, chunks: 0, folders: 0, vectors: 0, skipped: [] };
  const now = Date.now();
  for (const repo of registered) {
    opts.signal?.throwIfAborted();
    if (repo.indexLockExpiresAt && repo.indexLockExpiresAt.getTime() > now) {
      summary.skipped.push({ repoId: repo.id, reason: "an index run holds it" });
      continue;
    }
    let doomed: Doomed;
    if (!configuredIds.has(repo.id)) {
      // with nothing configured at all (no token, no checkout) we cannot tell a removed repo from a misconfiguration
      if (configuredIds.size === 0) {
        summary.skipped.push({ repoId: repo.id, reason: "no repository is configured; nothing is pruned as unconfigured" });
        continue;
      }
      doomed = await doomedOf(deps, repo, "unconfigured", null);
    } else {
      try {
        const snapshot = await repoSourceFor(deps, repo).snapshot();
        doomed = await doomedOf(deps, repo, "gone-files", new Set(snapshot.entries.map((e) => e.path)));
      } catch (err) {
        summary.skipped.push({ repoId: repo.id, reason: `its default branch cannot be read: ${(err as Error).message}` });
        continue;
      }
    }
    const vectorIds = doomed.chunkIds.length + doomed.paths.length + doomed.folderPaths.length;
    if (vectorIds === 0) continue;
    const vectors = opts.dryRun ? (deps.vectors ? vectorIds : 0) : await deleteFromIndex(deps, doomed);
    const entry: RepoPrune = {
      repoId: repo.id,
      reason: doomed.reason,
      files: doomed.paths.length,
      chunks: doomed.chunkIds.length,
      folders: doomed.folderPaths.length,
      vectors,
      samplePaths: doomed.paths.slice(0, SAMPLE),
    };
    summary.repos.push(entry);
    summary.files += entry.files;
    summary.chunks += entry.chunks;
    summary.folders += entry.folders;
    summary.vectors += entry.vectors;
    log(`${opts.dryRun ? "would prune" : "pruned"} ${repo.id} (${entry.reason}): ${entry.files} files, ${entry.chunks} chunks, ${entry.folders} folders, ${entry.vectors} vectors`);
  }
  return summary;
}
