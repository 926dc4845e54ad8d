-- AlterTable
ALTER TABLE "api_client" ADD COLUMN     "owner_user_id" UUID;

-- CreateTable
CREATE TABLE "policy_version" (
    "version" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "comment" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_version_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "intent" (
    "id" UUID NOT NULL,
    "requester_type" TEXT NOT NULL,
    "requester_id" TEXT NOT NULL,
    "client_id" TEXT,
    "key_id" UUID,
    "requester_user_id" UUID,
    "action" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "params" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "payload_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "decision" TEXT NOT NULL,
    "rule_id" TEXT,
    "trace" JSONB NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "required_approvals" INTEGER NOT NULL,
    "approver_roles" TEXT[],
    "expires_at" TIMESTAMPTZ(3),
    "result" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "intent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval" (
    "id" UUID NOT NULL,
    "intent_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL,
    "payload_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "intent_client_id_created_at_idx" ON "intent"("client_id", "created_at");

-- CreateIndex
CREATE INDEX "intent_status_created_at_idx" ON "intent"("status", "created_at");

-- CreateIndex
CREATE INDEX "audit_event_target_idx" ON "audit_event"("target");

-- CreateIndex
CREATE UNIQUE INDEX "approval_intent_id_user_id_key" ON "approval"("intent_id", "user_id");

-- AddForeignKey
ALTER TABLE "api_client" ADD CONSTRAINT "api_client_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intent" ADD CONSTRAINT "intent_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "api_client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval" ADD CONSTRAINT "approval_intent_id_fkey" FOREIGN KEY ("intent_id") REFERENCES "intent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval" ADD CONSTRAINT "approval_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Raw SQL Prisma cannot express. The server checks all of this too; the database is the last line:
-- a bug (or a hand-written UPDATE) cannot execute an intent without its approvals.
ALTER TABLE "policy_version" ADD CONSTRAINT "policy_version_version_check" CHECK ("version" >= 1);
ALTER TABLE "intent" ADD CONSTRAINT "intent_status_check"
  CHECK ("status" IN ('pending_approval', 'approved', 'executing', 'succeeded', 'failed', 'denied', 'expired', 'cancelled'));
ALTER TABLE "intent" ADD CONSTRAINT "intent_decision_check" CHECK ("decision" IN ('allow', 'deny', 'require_approval'));
ALTER TABLE "intent" ADD CONSTRAINT "intent_required_approvals_check"
  CHECK ("required_approvals" BETWEEN 0 AND 10 AND ("decision" = 'require_approval') = ("required_approvals" >= 1));
ALTER TABLE "intent" ADD CONSTRAINT "intent_policy_deny_check" CHECK ("decision" <> 'deny' OR "status" = 'denied');
ALTER TABLE "intent" ADD CONSTRAINT "intent_requester_check"
  CHECK (("requester_type" = 'api_key' AND "client_id" IS NOT NULL AND "requester_user_id" IS NULL)
      OR ("requester_type" = 'user' AND "client_id" IS NULL AND "requester_user_id" IS NOT NULL));
ALTER TABLE "approval" ADD CONSTRAINT "approval_decision_check" CHECK ("decision" IN ('approve', 'deny'));
ALTER TABLE "approval" ADD CONSTRAINT "approval_comment_check" CHECK (length(btrim("comment")) BETWEEN 1 AND 2000);

-- Evidence is append-only: policy versions and approvals are never changed or removed, intents never removed.
CREATE FUNCTION "intents_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "policy_version_append_only" BEFORE UPDATE OR DELETE ON "policy_version"
  FOR EACH ROW EXECUTE FUNCTION "intents_append_only"();
CREATE TRIGGER "approval_append_only" BEFORE UPDATE OR DELETE ON "approval"
  FOR EACH ROW EXECUTE FUNCTION "intents_append_only"();
CREATE TRIGGER "intent_no_delete" BEFORE DELETE ON "intent"
  FOR EACH ROW EXECUTE FUNCTION "intents_append_only"();

-- A new intent starts where its policy decision puts it, at version 1.
CREATE FUNCTION "intent_before_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."version" <> 1 OR NOT (
       (NEW."decision" = 'require_approval' AND NEW."status" = 'pending_approval' AND NEW."expires_at" IS NOT NULL)
    OR (NEW."decision" = 'deny' AND NEW."status" = 'denied')
    OR (NEW."decision" = 'allow' AND NEW."status" = 'approved')) THEN
    RAISE EXCEPTION 'intent_illegal_state: a new intent starts at version 1 as pending_approval (with an expiry), denied or approved, by its decision'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "intent_insert_state" BEFORE INSERT ON "intent"
  FOR EACH ROW EXECUTE FUNCTION "intent_before_insert"();

-- Every change bumps the version by one, leaves the payload alone and follows the state machine;
-- approved needs enough approvals and no denial, denied needs a denial, expired needs the clock (now()).
CREATE FUNCTION "intent_before_update"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  approvals INTEGER;
  denials INTEGER;
BEGIN
  IF NEW."id" <> OLD."id" OR NEW."requester_type" <> OLD."requester_type" OR NEW."requester_id" <> OLD."requester_id"
     OR NEW."client_id" IS DISTINCT FROM OLD."client_id" OR NEW."key_id" IS DISTINCT FROM OLD."key_id"
     OR NEW."requester_user_id" IS DISTINCT FROM OLD."requester_user_id" OR NEW."action" <> OLD."action"
     OR NEW."target" <> OLD."target" OR NEW."params" <> OLD."params" OR NEW."reason" <> OLD."reason"
     OR NEW."payload_hash" <> OLD."payload_hash" OR NEW."decision" <> OLD."decision" OR NEW."rule_id" IS DISTINCT FROM OLD."rule_id"
     OR NEW."trace" <> OLD."trace" OR NEW."policy_version" <> OLD."policy_version" OR NEW."required_approvals" <> OLD."required_approvals"
     OR NEW."approver_roles" IS DISTINCT FROM OLD."approver_roles" OR NEW."created_at" <> OLD."created_at"
     -- a pending intent's expiry may be brought forward (never pushed back or removed)
     OR (NEW."expires_at" IS DISTINCT FROM OLD."expires_at"
         AND (OLD."status" <> 'pending_approval' OR NEW."expires_at" IS NULL OR NEW."expires_at" > OLD."expires_at")) THEN
    RAISE EXCEPTION 'intent_immutable: an intent''s payload and decision never change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW."version" <> OLD."version" + 1 THEN
    RAISE EXCEPTION 'intent_version: every change bumps the version by one' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."status" = OLD."status" THEN
    RETURN NEW;
  END IF;
  IF (OLD."status", NEW."status") NOT IN (
       ('pending_approval', 'approved'), ('pending_approval', 'denied'), ('pending_approval', 'expired'), ('pending_approval', 'cancelled'),
       ('approved', 'executing'), ('approved', 'cancelled'), ('executing', 'succeeded'), ('executing', 'failed')) THEN
    RAISE EXCEPTION 'intent_illegal_transition: % -> %', OLD."status", NEW."status" USING ERRCODE = 'check_violation';
  END IF;
  SELECT count(*) FILTER (WHERE a."decision" = 'approve'), count(*) FILTER (WHERE a."decision" = 'deny')
    INTO approvals, denials FROM "approval" a WHERE a."intent_id" = NEW."id";
  IF NEW."status" = 'approved' AND (approvals < NEW."required_approvals" OR denials > 0 OR NEW."expires_at" <= now()) THEN
    RAISE EXCEPTION 'intent_not_approved: % of % approvals, % denials', approvals, NEW."required_approvals", denials USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."status" = 'denied' AND denials = 0 THEN
    RAISE EXCEPTION 'intent_not_denied: no denial recorded' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."status" = 'expired' AND NEW."expires_at" > now() THEN
    RAISE EXCEPTION 'intent_not_expired: expires at %', NEW."expires_at" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "intent_update_state" BEFORE UPDATE ON "intent"
  FOR EACH ROW EXECUTE FUNCTION "intent_before_update"();

-- Four-eyes, by the database: the decider is an active user (never an API key: user_id references
-- app_user) of an allowed role, deciding a pending, unexpired intent (database clock) on the payload
-- it saw; an approver is not the requester and does not own and did not create its client or key
-- (a denial by them is allowed: a veto can only make things safer).
CREATE FUNCTION "approval_before_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  i "intent"%ROWTYPE;
  u "app_user"%ROWTYPE;
BEGIN
  SELECT * INTO i FROM "intent" WHERE "id" = NEW."intent_id" FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'approval_no_intent: intent % does not exist', NEW."intent_id" USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF i."status" <> 'pending_approval' THEN
    RAISE EXCEPTION 'approval_not_pending: the intent is %', i."status" USING ERRCODE = 'check_violation';
  END IF;
  IF i."expires_at" <= now() THEN
    RAISE EXCEPTION 'approval_expired: the intent expired at %', i."expires_at" USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."payload_hash" <> i."payload_hash" THEN
    RAISE EXCEPTION 'approval_payload_mismatch: the decision was made on another payload' USING ERRCODE = 'check_violation';
  END IF;
  SELECT * INTO u FROM "app_user" WHERE "id" = NEW."user_id";
  IF NOT FOUND OR u."disabled_at" IS NOT NULL THEN
    RAISE EXCEPTION 'approval_forbidden: user % is not an active user', NEW."user_id" USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT (u."role"::TEXT = ANY (i."approver_roles")) THEN
    RAISE EXCEPTION 'approval_forbidden: role % may not decide this intent', u."role" USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW."decision" = 'approve' AND (i."requester_user_id" = NEW."user_id"
     OR EXISTS (SELECT 1 FROM "api_client" c WHERE c."id" = i."client_id"
                AND (c."owner_user_id" = NEW."user_id" OR c."created_by" = 'user:' || NEW."user_id"::TEXT))
     OR EXISTS (SELECT 1 FROM "api_key" k WHERE k."id" = i."key_id" AND k."created_by" = 'user:' || NEW."user_id"::TEXT)) THEN
    RAISE EXCEPTION 'approval_four_eyes: the requester, or the owner or creator of its client, cannot approve its intent'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "approval_insert_checks" BEFORE INSERT ON "approval"
  FOR EACH ROW EXECUTE FUNCTION "approval_before_insert"();

-- Where the database has a non-owner application role, take the rights to rewrite evidence away too.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orchestrator_app') THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON "policy_version", "approval" FROM "orchestrator_app";
    REVOKE DELETE, TRUNCATE ON "intent" FROM "orchestrator_app";
  END IF;
END $$;

-- The seeded policy (src/server/features/policy/defaults.ts holds the same rules; a test compares them).
INSERT INTO "policy_version" ("version", "rules", "comment", "created_by") VALUES (1, '[
  {"id": "gpt-no-deploy-main", "description": "The GPT client cannot deploy to main or master",
   "match": {"clients": ["gpt", "gpt-*"], "actions": ["deploy"], "target": {"branch": ["main", "master"]}}, "decision": "deny"},
  {"id": "production-needs-approver", "description": "Deploys and rollbacks to production need one approver",
   "match": {"actions": ["deploy", "rollback"], "target": {"environment": ["production", "prod"]}},
   "decision": "require_approval", "approvals": {"count": 1, "roles": ["approver", "admin"], "expiresInMinutes": 60}},
  {"id": "default", "description": "Everything else needs one approval",
   "match": {}, "decision": "require_approval", "approvals": {"count": 1, "roles": ["approver", "admin"], "expiresInMinutes": 1440}}
]'::JSONB, 'Seeded defaults', 'system:migration');
