-- Indexer (issue 4): a per-repo lease that one index run holds at a time (works the same on Postgres
-- and PGlite's single connection, and expires by itself when its holder dies), and a run's progress.
ALTER TABLE "repo" ADD COLUMN "index_lock_run_id" UUID,
ADD COLUMN "index_lock_expires_at" TIMESTAMPTZ(3);

ALTER TABLE "index_run" ADD COLUMN "files_total" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "files_done" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "duration_ms" INTEGER,
ADD COLUMN "warnings" TEXT[];
