-- The shared context's changes, kept for a retention window so a live stream (GET /ai/context/stream)
-- can resume after a dropped connection with nothing missed. Each scope numbers its changes 1, 2, …:
-- the head row is updated in the same statement that inserts the change, and its row lock is held
-- until that statement commits, so a scope's changes commit in the order of their numbers.
CREATE TABLE "context_stream_head" (
    "scope" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,

    CONSTRAINT "context_stream_head_pkey" PRIMARY KEY ("scope")
);

CREATE TABLE "context_change" (
    "scope" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event" JSONB NOT NULL,

    CONSTRAINT "context_change_pkey" PRIMARY KEY ("scope","seq")
);

CREATE INDEX "context_change_at_idx" ON "context_change"("at");
