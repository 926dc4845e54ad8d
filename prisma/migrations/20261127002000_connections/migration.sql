-- CreateTable
CREATE TABLE "connection_state" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,
    "latency_ms" DOUBLE PRECISION,
    "error" TEXT,
    "details" JSONB,
    "last_up_at" TIMESTAMPTZ(3),
    "last_down_at" TIMESTAMPTZ(3),

    CONSTRAINT "connection_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "probe_result" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "state" TEXT NOT NULL,
    "latency_ms" DOUBLE PRECISION,
    "error" TEXT,
    "details" JSONB,

    CONSTRAINT "probe_result_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "probe_rollup" (
    "connection_id" TEXT NOT NULL,
    "resolution" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "up" INTEGER NOT NULL,
    "down" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_count" INTEGER NOT NULL,
    "latency_max" DOUBLE PRECISION,

    CONSTRAINT "probe_rollup_pkey" PRIMARY KEY ("connection_id","resolution","bucket")
);

-- CreateTable
CREATE TABLE "procedure_metric" (
    "procedure" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "instance" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "server_errors" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_max" DOUBLE PRECISION NOT NULL,
    "histogram" JSONB NOT NULL,

    CONSTRAINT "procedure_metric_pkey" PRIMARY KEY ("procedure","minute","instance")
);

-- CreateIndex
CREATE INDEX "probe_result_connection_id_at_idx" ON "probe_result"("connection_id", "at");

-- CreateIndex
CREATE INDEX "probe_result_at_idx" ON "probe_result"("at");

-- CreateIndex
CREATE INDEX "probe_rollup_resolution_bucket_idx" ON "probe_rollup"("resolution", "bucket");

-- CreateIndex
CREATE INDEX "procedure_metric_minute_idx" ON "procedure_metric"("minute");
