-- CreateTable
CREATE TABLE "suggestion_finding" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "action" TEXT,
    "evidence" JSONB NOT NULL,
    "proposal" JSONB,
    "status" TEXT NOT NULL DEFAULT 'open',
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "status_by" TEXT,
    "status_reason" TEXT,
    "status_at" TIMESTAMPTZ(3),
    "status_fingerprint" TEXT,
    "intent_id" UUID,

    CONSTRAINT "suggestion_finding_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "suggestion_finding_status_check" CHECK ("status" IN ('open', 'dismissed', 'done')),
    CONSTRAINT "suggestion_finding_severity_check" CHECK ("severity" IN ('critical', 'warning', 'info'))
);

-- CreateTable
CREATE TABLE "suggestion_briefing" (
    "day" TEXT NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,
    "computations" INTEGER NOT NULL DEFAULT 1,
    "source" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "actions" JSONB NOT NULL,
    "model" TEXT,
    "signals" JSONB NOT NULL,

    CONSTRAINT "suggestion_briefing_pkey" PRIMARY KEY ("day"),
    CONSTRAINT "suggestion_briefing_day_check" CHECK ("day" ~ '^\d{4}-\d{2}-\d{2}$')
);

-- CreateIndex
CREATE INDEX "suggestion_finding_resolved_at_severity_idx" ON "suggestion_finding"("resolved_at", "severity");

-- CreateIndex
CREATE INDEX "suggestion_finding_key_idx" ON "suggestion_finding"("key");

-- One live row per finding key: a problem that persists ages in its row; one that comes back after it was resolved starts a new row.
CREATE UNIQUE INDEX "suggestion_finding_live_key" ON "suggestion_finding"("key") WHERE "resolved_at" IS NULL;
