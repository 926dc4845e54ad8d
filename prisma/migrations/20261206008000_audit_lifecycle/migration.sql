-- Sealed segments of the audit log: each row is a signed manifest (its JSON and signature), written
-- before the segment's rows go to the archive sinks; archived_at once every sink holds them,
-- rotated_at once their rows left audit_event.
CREATE TABLE "audit_segment" (
    "segment" INTEGER NOT NULL,
    "first_seq" BIGINT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,
    "first_at" TIMESTAMPTZ(3) NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,
    "head_hash" TEXT NOT NULL,
    "manifest_hash" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "signature" TEXT NOT NULL,
    "sealed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_segment_pkey" PRIMARY KEY ("segment")
);

CREATE UNIQUE INDEX "audit_segment_last_seq_key" ON "audit_segment"("last_seq");

-- Signed heads of the chain (also exported to the archive sinks): verify compares the live chain
-- with the newest one, so a removed tail or a recomputed chain shows.
CREATE TABLE "audit_checkpoint" (
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("seq")
);

-- A manifest never changes once written; only its archived/rotated marks are set, once.
CREATE FUNCTION "audit_segment_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (NEW."segment", NEW."first_seq", NEW."last_seq", NEW."count", NEW."first_at", NEW."last_at", NEW."head_hash", NEW."manifest_hash", NEW."manifest", NEW."signature", NEW."sealed_at")
         IS NOT DISTINCT FROM (OLD."segment", OLD."first_seq", OLD."last_seq", OLD."count", OLD."first_at", OLD."last_at", OLD."head_hash", OLD."manifest_hash", OLD."manifest", OLD."signature", OLD."sealed_at")
     AND (OLD."archived_at" IS NULL OR NEW."archived_at" IS NOT DISTINCT FROM OLD."archived_at")
     AND (OLD."rotated_at" IS NULL OR NEW."rotated_at" IS NOT DISTINCT FROM OLD."rotated_at") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_segment_guard" BEFORE UPDATE OR DELETE ON "audit_segment" FOR EACH ROW EXECUTE FUNCTION "audit_segment_guard"();
CREATE TRIGGER "audit_segment_no_truncate" BEFORE TRUNCATE ON "audit_segment" FOR EACH STATEMENT EXECUTE FUNCTION "audit_segment_guard"();
CREATE TRIGGER "audit_checkpoint_guard" BEFORE UPDATE OR DELETE ON "audit_checkpoint" FOR EACH ROW EXECUTE FUNCTION "audit_segment_guard"();
CREATE TRIGGER "audit_checkpoint_no_truncate" BEFORE TRUNCATE ON "audit_checkpoint" FOR EACH STATEMENT EXECUTE FUNCTION "audit_segment_guard"();

-- The one way rows leave audit_event: a DELETE passes the append-only trigger only while the
-- rotation function has set its transaction-local flag, and only for rows of a sealed and archived
-- segment. UPDATE and TRUNCATE stay refused for everyone.
CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit.rotation', true) = 'on'
     AND EXISTS (SELECT 1 FROM "audit_segment" s WHERE OLD."seq" BETWEEN s."first_seq" AND s."last_seq" AND s."archived_at" IS NOT NULL) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Drops the rows of archived segments up to `through_segment`, under the chain lock; never the
-- head of the chain (the next append links to it). SECURITY DEFINER: an application role without
-- DELETE on audit_event may call it, and this is all it can do.
CREATE FUNCTION "audit_rotate"(through_segment INTEGER) RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  upto BIGINT;
  head BIGINT;
  dropped BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(72707370);
  SELECT s."last_seq" INTO upto FROM "audit_segment" s WHERE s."segment" = through_segment;
  IF upto IS NULL THEN
    RAISE EXCEPTION 'audit segment % is not sealed', through_segment USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM "audit_segment" s WHERE s."segment" <= through_segment AND s."archived_at" IS NULL) THEN
    RAISE EXCEPTION 'audit segments up to % are not all archived', through_segment USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT max(a."seq") INTO head FROM "audit_event" a;
  IF head IS NULL OR head <= upto THEN
    RAISE EXCEPTION 'the head of the audit chain stays in the database' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM set_config('audit.rotation', 'on', true);
  DELETE FROM "audit_event" WHERE "seq" <= upto;
  GET DIAGNOSTICS dropped = ROW_COUNT;
  PERFORM set_config('audit.rotation', 'off', true);
  UPDATE "audit_segment" SET "rotated_at" = CURRENT_TIMESTAMP WHERE "segment" <= through_segment AND "rotated_at" IS NULL;
  RETURN dropped;
END;
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orchestrator_app') THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON "audit_segment", "audit_checkpoint" FROM "orchestrator_app";
    GRANT EXECUTE ON FUNCTION "audit_rotate"(INTEGER) TO "orchestrator_app";
  END IF;
END $$;
