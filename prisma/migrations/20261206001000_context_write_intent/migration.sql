-- Shared-context writes land in the key-value store and their audit events in Postgres, which share no
-- transaction. Each write is announced here first and removed once its audit event is stored; what a crash
-- or an outage leaves behind is audited later by the reconciler (features/context/journal.ts).
CREATE TABLE "context_write_intent" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "event" JSONB NOT NULL,

    CONSTRAINT "context_write_intent_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "context_write_intent_at_idx" ON "context_write_intent"("at");
