-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'operator', 'approver', 'admin');

-- CreateTable
CREATE TABLE "api_client" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "rate_limits" JSONB,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_user" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT,
    "role" "Role" NOT NULL DEFAULT 'viewer',
    "github_login" TEXT,
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "client_id" TEXT,
    "action" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "target" TEXT,
    "outcome" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "latency_ms" INTEGER,
    "request_id" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "ip" TEXT,
    "input" JSONB,
    "detail" JSONB,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "idempotency_key" (
    "client_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" INTEGER,
    "response" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("client_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_hash_key" ON "api_key"("hash");

-- CreateIndex
CREATE INDEX "api_key_client_id_idx" ON "api_key"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "app_user_email_key" ON "app_user"("email");

-- CreateIndex
CREATE UNIQUE INDEX "app_user_github_login_key" ON "app_user"("github_login");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_hash_key" ON "audit_event"("hash");

-- CreateIndex
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");

-- CreateIndex
CREATE INDEX "audit_event_actor_type_actor_id_idx" ON "audit_event"("actor_type", "actor_id");

-- CreateIndex
CREATE INDEX "audit_event_client_id_idx" ON "audit_event"("client_id");

-- CreateIndex
CREATE INDEX "audit_event_action_idx" ON "audit_event"("action");

-- CreateIndex
CREATE INDEX "audit_event_request_id_idx" ON "audit_event"("request_id");

-- CreateIndex
CREATE INDEX "idempotency_key_expires_at_idx" ON "idempotency_key"("expires_at");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "api_client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Raw SQL Prisma cannot express: the audit log is append-only for everyone, superusers included
-- unless they switch triggers off (session_replication_role), which is what tampering looks like.
CREATE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_event_no_update_delete"
  BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"();

CREATE TRIGGER "audit_event_no_truncate"
  BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"();

-- Where the database has a non-owner application role (ops deploys often do), take the rights away too.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orchestrator_app') THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON "audit_event" FROM "orchestrator_app";
  END IF;
END $$;

-- Appends audit events in one round trip: takes the chain lock (held until the caller's transaction
-- commits), links each event to the head and hashes it: hash = sha256(prev_hash || canonical JSON),
-- the canonical JSON (RFC 8785) of the row's content computed by the app (src/server/core/audit/chain.ts).
CREATE FUNCTION "audit_append"(events JSONB) RETURNS TABLE(o_seq BIGINT, o_prev_hash TEXT, o_hash TEXT) LANGUAGE plpgsql AS $$
DECLARE
  head_seq BIGINT;
  head_hash TEXT;
  e JSONB;
BEGIN
  PERFORM pg_advisory_xact_lock(72707370);
  SELECT a."seq", a."hash" INTO head_seq, head_hash FROM "audit_event" a ORDER BY a."seq" DESC LIMIT 1;
  head_seq := COALESCE(head_seq, 0);
  head_hash := COALESCE(head_hash, repeat('0', 64));
  FOR e IN SELECT value FROM jsonb_array_elements(events) LOOP
    o_seq := head_seq + 1;
    o_prev_hash := head_hash;
    o_hash := encode(sha256(convert_to(head_hash || (e->>'canonical'), 'UTF8')), 'hex');
    INSERT INTO "audit_event" ("seq", "at", "actor_type", "actor_id", "client_id", "action", "resource_type", "target", "outcome",
                               "status", "latency_ms", "request_id", "surface", "ip", "input", "detail", "prev_hash", "hash")
    VALUES (o_seq, (e->>'at')::TIMESTAMPTZ, e->>'actorType', e->>'actorId', e->>'clientId', e->>'action', e->>'resourceType',
            e->>'target', e->>'outcome', (e->>'status')::INTEGER, (e->>'latencyMs')::INTEGER, e->>'requestId', e->>'surface',
            e->>'ip', NULLIF(e->'input', 'null'::JSONB), NULLIF(e->'detail', 'null'::JSONB), o_prev_hash, o_hash);
    head_seq := o_seq;
    head_hash := o_hash;
    RETURN NEXT;
  END LOOP;
END;
$$;
