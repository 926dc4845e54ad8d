import { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/adapters/db";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import { AppError } from "@/server/core/errors";
import { enqueueIndexRun } from "@/server/features/repos/jobs";
import type { Deps } from "@/server/deps";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Per repo: index state, counts of files, chunks and (pgvector) vectors, and the last run. */
export async function listRepoIndex(db: Db) {
  const repos = await db.repo.findMany({ orderBy: { id: "asc" } });
  if (repos.length === 0) return [];
  const ids = repos.map((r) => r.id);
  const [files, chunks, vectors, runs] = await Promise.all([
    db.repoFile.groupBy({ by: ["repoId"], where: { repoId: { in: ids } }, _count: { _all: true } }),
    db.codeChunk.groupBy({ by: ["repoId"], where: { repoId: { in: ids } }, _count: { _all: true } }),
    vectorCounts(db),
    Promise.all(ids.map((repoId) => db.indexRun.findFirst({ where: { repoId }, orderBy: { createdAt: "desc" } }))),
  ]);
  const count = (rows: { repoId: string; _count: { _all: number } }[], id: string) => rows.find((r) => r.repoId === id)?._count._all ?? 0;
  return repos.map((r, i) => {
    const run = runs[i];
    return {
      id: r.id,
      source: r.source,
      defaultBranch: r.defaultBranch,
      htmlUrl: r.htmlUrl,
      localPath: r.localPath,
      indexedSha: r.indexedSha,
      indexedAt: iso(r.indexedAt),
      indexState: r.indexState,
      files: count(files, r.id),
      chunks: count(chunks, r.id),
      vectors: vectors ? (vectors.get(r.id) ?? 0) : null,
      lastRun: run
        ? {
            id: run.id,
            trigger: run.trigger,
            status: run.status,
            full: run.full,
            createdAt: run.createdAt.toISOString(),
            durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
            filesAdded: run.filesAdded,
            filesChanged: run.filesChanged,
            filesRemoved: run.filesRemoved,
            filesSkipped: run.filesSkipped,
            chunks: run.chunks,
            error: run.error,
          }
        : null,
    };
  });
}

/** Vectors per namespace (= repo) when pgvector holds them here; null when there is no such table. */
async function vectorCounts(db: Db): Promise<Map<string, number> | null> {
  const [exists] = await db.$queryRaw<{ t: string | null }[]>`SELECT to_regclass('code_vector')::text AS t`;
  if (!exists?.t) return null;
  const rows = await db.$queryRaw<{ namespace: string; n: number }[]>(Prisma.sql`SELECT "namespace", count(*)::int AS n FROM "code_vector" GROUP BY "namespace"`);
  return new Map(rows.map((r) => [r.namespace, r.n]));
}

/** Queues an index run (trigger "dashboard"), audited in the same transaction; a queued run is reused. */
export async function queueReindex(deps: Deps, call: CallContext, input: { repo: string; full: boolean }) {
  const queued = await deps.audit.transact(async (tx, audit) => {
    const repo = await tx.repo.findUnique({ where: { id: input.repo } });
    if (!repo) throw new AppError("NOT_FOUND", `No registered repo "${input.repo}".`);
    const queued = await tx.indexRun.findFirst({ where: { repoId: repo.id, status: "queued" }, orderBy: { createdAt: "desc" } });
    const run = queued ?? (await tx.indexRun.create({ data: { repoId: repo.id, trigger: "dashboard", full: input.full, status: "queued" } }));
    if (!queued && repo.indexState !== "indexing") await tx.repo.update({ where: { id: repo.id }, data: { indexState: "queued", updatedAt: new Date() } });
    await audit(eventFor(call, { action: "repos.reindex", resourceType: "repo", target: repo.id, detail: { runId: run.id, full: input.full, alreadyQueued: Boolean(queued) } }));
    return { runId: run.id, status: run.status, alreadyQueued: Boolean(queued) };
  });
  if (!queued.alreadyQueued) await enqueueIndexRun(deps, input.repo);
  return queued;
}
