-- One row per attempt of a named job (the jobs layer): when it started and ended, how it went, which
-- instance ran it. The queue (pg-boss, in its own schema) holds what is still to run; this table is
-- what the cron monitor reads, on a real Postgres and on the embedded database alike.
CREATE TABLE "job_run" (
    "id" UUID NOT NULL,
    "job" TEXT NOT NULL,
    "queue_job_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,
    "error" TEXT,
    "result" JSONB,
    "log" TEXT[],

    CONSTRAINT "job_run_pkey" PRIMARY KEY ("id")
);

-- An attempt of a queued job (or of a schedule tick) is recorded once: a second delivery of the same
-- attempt finds it taken and does not run.
CREATE UNIQUE INDEX "job_run_queue_job_id_attempt_key" ON "job_run"("queue_job_id", "attempt");
CREATE INDEX "job_run_job_started_at_idx" ON "job_run"("job", "started_at");
CREATE INDEX "job_run_status_idx" ON "job_run"("status");
