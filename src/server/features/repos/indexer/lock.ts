import type { Db } from "@/server/adapters/db";

/**
 * One index run per repo at a time: a lease on the repo row, taken with one conditional UPDATE
 * (atomic on Postgres and on PGlite's single connection alike, and no session to hold open), renewed
 * while the run works, released at the end. A holder that died lets its lease lapse after LEASE_MS.
 */
export const LEASE_MS = 120_000;

export class IndexBusyError extends Error {
  constructor(
    readonly repoId: string,
    readonly holderRunId: string | null,
    readonly until: Date | null,
  ) {
    super(
      `Repo ${repoId} is already being indexed by run ${holderRunId ?? "?"}` + (until ? ` (its lease runs until ${until.toISOString()} unless renewed)` : "") + "; try again when it has finished.",
    );
    this.name = "IndexBusyError";
  }
}

async function tryTake(db: Db, repoId: string, runId: string): Promise<boolean> {
  const n = await db.$executeRawUnsafe(
    `UPDATE repo SET index_lock_run_id = $2::uuid, index_lock_expires_at = now() + ($3 || ' milliseconds')::interval
     WHERE id = $1 AND (index_lock_run_id IS NULL OR index_lock_run_id = $2::uuid OR index_lock_expires_at < now())`,
    repoId,
    runId,
    String(LEASE_MS),
  );
  return n === 1;
}

/** Takes the repo's lease for `runId`; with `waitMs`, polls until it is free or the time is up. */
export async function acquireIndexLock(db: Db, repoId: string, runId: string, waitMs = 0): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await tryTake(db, repoId, runId)) return;
    if (Date.now() >= deadline) {
      const holder = await db.repo.findUnique({ where: { id: repoId }, select: { indexLockRunId: true, indexLockExpiresAt: true } });
      throw new IndexBusyError(repoId, holder?.indexLockRunId ?? null, holder?.indexLockExpiresAt ?? null);
    }
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(10, deadline - Date.now()))));
  }
}

/** Renews the lease; false when another run has taken it over (ours had lapsed). */
export async function renewIndexLock(db: Db, repoId: string, runId: string): Promise<boolean> {
  const n = await db.$executeRawUnsafe(
    `UPDATE repo SET index_lock_expires_at = now() + ($3 || ' milliseconds')::interval WHERE id = $1 AND index_lock_run_id = $2::uuid`,
    repoId,
    runId,
    String(LEASE_MS),
  );
  return n === 1;
}

export async function releaseIndexLock(db: Db, repoId: string, runId: string): Promise<void> {
  await db.$executeRawUnsafe(`UPDATE repo SET index_lock_run_id = NULL, index_lock_expires_at = NULL WHERE id = $1 AND index_lock_run_id = $2::uuid`, repoId, runId);
}
