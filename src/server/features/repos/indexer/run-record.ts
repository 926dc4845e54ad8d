import type { Db } from "@/server/adapters/db";
import { eventFor } from "@/server/core/audit/log";
import { systemActor } from "@/server/core/auth/actor";
import type { AuditLog } from "@/server/core/audit/log";
import type { IndexResult, IndexTrigger } from "./run";

/** The `index_run` row's life: running when the lease is ours, then succeeded or failed with its counts, audited. */
export async function startRun(db: Db, r: { runId: string; repoId: string; trigger: IndexTrigger; full: boolean; fromSha: string | null; queued: boolean }) {
  const data = { status: "running", startedAt: new Date(), fromSha: r.fromSha, full: r.full };
  await db.$transaction(async (tx) => {
    if (r.queued) await tx.indexRun.update({ where: { id: r.runId }, data });
    else await tx.indexRun.create({ data: { id: r.runId, repoId: r.repoId, trigger: r.trigger, ...data } });
    await tx.repo.update({ where: { id: r.repoId }, data: { indexState: "indexing" } });
  });
}

export async function finishRun(deps: { db: Db; audit: AuditLog }, result: IndexResult, error: Error | null): Promise<void> {
  const now = new Date();
  const message = error ? error.message.slice(0, 2_000) : null;
  await deps.audit.transact(async (tx, audit) => {
    const run = await tx.indexRun.update({
      where: { id: result.runId },
      data: {
        status: error ? "failed" : "succeeded",
        error: message,
        finishedAt: now,
        durationMs: result.durationMs,
        tokensEmbedded: result.tokensEmbedded,
        warnings: result.warnings,
        toSha: result.toSha || null,
      },
    });
    await tx.repo.update({
      where: { id: result.repoId },
      data: error ? { indexState: "failed", updatedAt: now } : { indexState: "ready", indexedSha: result.toSha, indexedAt: now, updatedAt: now },
    });
    await audit(
      eventFor(
        { actor: systemActor("indexer"), requestId: result.runId, surface: "system" },
        {
          action: "repo.index",
          resourceType: "repo",
          target: result.repoId,
          outcome: error ? "failure" : "success",
          status: error ? 500 : 200,
          detail: {
            runId: result.runId,
            trigger: run.trigger,
            full: run.full,
            fromSha: result.fromSha,
            toSha: result.toSha || null,
            added: run.filesAdded,
            changed: run.filesChanged,
            removed: run.filesRemoved,
            skipped: run.filesSkipped,
            chunks: run.chunks,
            tokensEmbedded: run.tokensEmbedded,
            durationMs: result.durationMs,
            warnings: result.warnings.length,
            error: message,
          },
        },
      ),
    );
  });
}
