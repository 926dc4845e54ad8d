-- CreateTable
CREATE TABLE "notification_outbox" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "routed_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_delivery" (
    "id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "leased_until" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_route" (
    "id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipients" TEXT[],
    "min_severity" TEXT NOT NULL DEFAULT 'info',
    "quiet_start" TEXT,
    "quiet_end" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "notification_route_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connection_alert_state" (
    "connection_id" TEXT NOT NULL,
    "alerted" TEXT NOT NULL,
    "recent" JSONB NOT NULL,
    "last_down_alert_at" TIMESTAMPTZ(3),
    "last_up_alert_at" TIMESTAMPTZ(3),
    "checked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connection_alert_state_pkey" PRIMARY KEY ("connection_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_outbox_dedupe_key_key" ON "notification_outbox"("dedupe_key");

-- CreateIndex
CREATE INDEX "notification_outbox_routed_at_created_at_idx" ON "notification_outbox"("routed_at", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "notification_delivery_idempotency_key_key" ON "notification_delivery"("idempotency_key");

-- CreateIndex
CREATE INDEX "notification_delivery_status_next_attempt_at_idx" ON "notification_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notification_delivery_event_id_idx" ON "notification_delivery"("event_id");

-- AddForeignKey
ALTER TABLE "notification_delivery" ADD CONSTRAINT "notification_delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "notification_outbox"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The default routes (they take effect for the channels that are configured); admins edit them on the Notifications page.
INSERT INTO "notification_route" ("id", "event_type", "channel", "recipients", "min_severity", "updated_by") VALUES
    ('8f0c2a6e-0001-4000-8000-000000000001', 'intent.approval_requested', 'slack', '{}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000002', 'intent.approval_requested', 'email', '{approvers}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000003', 'intent.executed', 'slack', '{}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000004', 'intent.failed', 'slack', '{}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000005', 'connection.down', 'slack', '{}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000006', 'connection.down', 'email', '{role:admin}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000007', 'connection.recovered', 'slack', '{}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000008', 'connection.recovered', 'email', '{role:admin}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000009', 'job.late', 'slack', '{}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000010', 'job.late', 'email', '{role:admin}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000011', 'digest.daily', 'email', '{role:operator,role:admin}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000012', 'suggestion.critical', 'slack', '{}', 'critical', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000013', 'audit.chain_failed', 'slack', '{}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000014', 'audit.chain_failed', 'email', '{role:admin}', 'info', 'system:defaults'),
    ('8f0c2a6e-0001-4000-8000-000000000015', '*', 'webhook', '{}', 'info', 'system:defaults');
