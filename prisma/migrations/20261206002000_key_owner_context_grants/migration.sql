-- Every API key names the person accountable for it; four-eyes compares that person with the approver.
ALTER TABLE "api_key" ADD COLUMN "owner_user_id" UUID;
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_owner_user_id_fkey"
  FOREIGN KEY ("owner_user_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "api_key_owner_user_id_idx" ON "api_key"("owner_user_id");

-- Existing keys: the user who minted one in the dashboard, else its client's owner, else (the key from
-- ORCHESTRATOR_API_KEY) the first admin. Keys minted by the CLI or by another key without an owner stay
-- unowned: nobody can approve their intents until they are replaced by keys with an owner.
UPDATE "api_key" k SET "owner_user_id" = u."id"
  FROM "app_user" u WHERE k."created_by" = 'user:' || u."id"::TEXT;
UPDATE "api_key" k SET "owner_user_id" = c."owner_user_id"
  FROM "api_client" c WHERE k."owner_user_id" IS NULL AND c."id" = k."client_id" AND c."owner_user_id" IS NOT NULL;
UPDATE "api_key" SET "owner_user_id" = (
    SELECT "id" FROM "app_user" WHERE "role" = 'admin' AND "disabled_at" IS NULL ORDER BY "created_at", "id" LIMIT 1)
  WHERE "owner_user_id" IS NULL AND "created_by" = 'system:env';

-- GitHub sign-in matches the numeric account id, which never changes (a login can be renamed and reused).
ALTER TABLE "app_user" ADD COLUMN "github_id" TEXT;
CREATE UNIQUE INDEX "app_user_github_id_key" ON "app_user"("github_id");

-- Sharing a client's (or a session's) context scope with another client, granted by an admin.
CREATE TABLE "context_grant" (
  "scope"      TEXT NOT NULL,
  "client_id"  TEXT NOT NULL,
  "access"     TEXT NOT NULL CHECK ("access" IN ('read', 'write')),
  "granted_by" TEXT NOT NULL,
  "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "context_grant_pkey" PRIMARY KEY ("scope", "client_id")
);
CREATE INDEX "context_grant_client_id_idx" ON "context_grant"("client_id");
ALTER TABLE "context_grant" ADD CONSTRAINT "context_grant_client_id_fkey"
  FOREIGN KEY ("client_id") REFERENCES "api_client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Four-eyes, by the database, now by the key's owner too: nobody approves an intent proposed through a
-- key they own, and an intent proposed through a key nobody owns cannot be approved at all (only denied).
CREATE OR REPLACE FUNCTION "approval_before_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
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
  IF NEW."decision" = 'approve' AND EXISTS (SELECT 1 FROM "api_key" k WHERE k."id" = i."key_id" AND k."owner_user_id" IS NULL) THEN
    RAISE EXCEPTION 'approval_unowned_key: no person is accountable for the key that proposed this intent'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW."decision" = 'approve' AND (i."requester_user_id" = NEW."user_id"
     OR EXISTS (SELECT 1 FROM "api_client" c WHERE c."id" = i."client_id"
                AND (c."owner_user_id" = NEW."user_id" OR c."created_by" = 'user:' || NEW."user_id"::TEXT))
     OR EXISTS (SELECT 1 FROM "api_key" k WHERE k."id" = i."key_id"
                AND (k."owner_user_id" = NEW."user_id" OR k."created_by" = 'user:' || NEW."user_id"::TEXT))) THEN
    RAISE EXCEPTION 'approval_four_eyes: the requester, or the owner or creator of its client or key, cannot approve its intent'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
