-- The audit search's document, stored with each event (the expand half of an expand/contract change).
-- Searching the newest events recomputed the document of up to 100 rows per call (~50 µs each on the
-- embedded database); read from this column it is a read. The column is derived data: the chain's
-- hashes cover the event, not this column, and nothing about them changes.
-- Expand: the column is nullable, new events get it from audit_append (and any other insert from the
-- trigger below), rows written before are filled in batches by the audit-search-backfill job, and
-- readers fall back to the expression for a row without it. The GIN index on the expression stays:
-- the previous release still searches by it, and rare words are found through it meanwhile.
-- Contract (a later release, once no row lacks the column): index the column, drop the expression
-- index and the partial index below, and make the column NOT NULL.
ALTER TABLE "audit_event" ADD COLUMN "search_doc" tsvector;

-- The rows the backfill still has to fill, newest first. Events appended from now on carry their
-- document, so they never enter it: it costs the append nothing and is empty once the backfill is done.
CREATE INDEX "audit_event_search_doc_missing_idx" ON "audit_event" ("seq") WHERE "search_doc" IS NULL;

-- As in 20261127009000, plus the document (from the same expression the index uses), and each event's
-- JSON parsed once.
CREATE OR REPLACE FUNCTION "audit_append"(canonicals JSONB) RETURNS TABLE(o_seq BIGINT, o_prev_hash TEXT, o_hash TEXT) LANGUAGE plpgsql AS $$
DECLARE
  head_seq BIGINT;
  head_hash TEXT;
  c TEXT;
  seqs BIGINT[] := '{}';
  prevs TEXT[] := '{}';
  hashes TEXT[] := '{}';
BEGIN
  -- the chain lock, held until the caller's transaction commits
  PERFORM pg_advisory_xact_lock(72707370);
  SELECT a."seq", a."hash" INTO head_seq, head_hash FROM "audit_event" a ORDER BY a."seq" DESC LIMIT 1;
  head_seq := COALESCE(head_seq, 0);
  head_hash := COALESCE(head_hash, repeat('0', 64));
  FOR c IN SELECT value FROM jsonb_array_elements_text(canonicals) LOOP
    prevs := prevs || head_hash;
    head_seq := head_seq + 1;
    head_hash := encode(sha256(convert_to(head_hash || c, 'UTF8')), 'hex');
    seqs := seqs || head_seq;
    hashes := hashes || head_hash;
  END LOOP;
  INSERT INTO "audit_event" ("seq", "at", "actor_type", "actor_id", "client_id", "action", "resource_type", "target", "outcome",
                             "status", "latency_ms", "request_id", "surface", "ip", "input", "detail", "prev_hash", "hash", "search_doc")
  SELECT seqs[x.i], (x.e->>'at')::TIMESTAMPTZ, x.e->>'actorType', x.e->>'actorId', x.e->>'clientId', x.e->>'action', x.e->>'resourceType',
         x.e->>'target', x.e->>'outcome', (x.e->>'status')::INTEGER, (x.e->>'latencyMs')::INTEGER, x.e->>'requestId', x.e->>'surface',
         x.e->>'ip', x.input, x.detail, prevs[x.i], hashes[x.i],
         "audit_event_search_document"(x.e->>'action', x.e->>'target', x.e->>'actorId', x.e->>'clientId', x.e->>'requestId', x.input, x.detail)
  -- OFFSET 0 keeps the planner from pulling the subquery up, which would parse each event's JSON again
  -- for every column read from it (the document's arguments made that noticeable)
  FROM (SELECT y.e, y.i, NULLIF(y.e->'input', 'null'::JSONB) AS input, NULLIF(y.e->'detail', 'null'::JSONB) AS detail
          FROM (SELECT t.value::JSONB AS e, t.i FROM jsonb_array_elements_text(canonicals) WITH ORDINALITY AS t(value, i) OFFSET 0) AS y) AS x;
  RETURN QUERY SELECT s.seq, s.prev, s.hash FROM unnest(seqs, prevs, hashes) AS s(seq, prev, hash);
END;
$$;

-- Any other insert (a fixture, a restore) gets its document here; the WHEN clause is checked without
-- calling the function, so the append, which carries its document, pays nothing.
CREATE FUNCTION "audit_event_fill_search_doc"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  NEW."search_doc" := "audit_event_search_document"(NEW."action", NEW."target", NEW."actor_id", NEW."client_id", NEW."request_id", NEW."input", NEW."detail");
  RETURN NEW;
END;
$$;
CREATE TRIGGER "audit_event_search_doc_insert" BEFORE INSERT ON "audit_event"
  FOR EACH ROW WHEN (NEW."search_doc" IS NULL) EXECUTE FUNCTION "audit_event_fill_search_doc"();

-- Still append-only: the one UPDATE let through is the backfill's, which sets a missing document to
-- exactly the event's own and changes nothing else (so no one can plant other words in a row either).
CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit.rotation', true) = 'on'
     AND EXISTS (SELECT 1 FROM "audit_segment" s WHERE OLD."seq" BETWEEN s."first_seq" AND s."last_seq" AND s."archived_at" IS NOT NULL) THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD."search_doc" IS NULL
     AND (NEW."seq", NEW."at", NEW."actor_type", NEW."actor_id", NEW."client_id", NEW."action", NEW."resource_type", NEW."target", NEW."outcome",
          NEW."status", NEW."latency_ms", NEW."request_id", NEW."surface", NEW."ip", NEW."input", NEW."detail", NEW."prev_hash", NEW."hash")
         IS NOT DISTINCT FROM
         (OLD."seq", OLD."at", OLD."actor_type", OLD."actor_id", OLD."client_id", OLD."action", OLD."resource_type", OLD."target", OLD."outcome",
          OLD."status", OLD."latency_ms", OLD."request_id", OLD."surface", OLD."ip", OLD."input", OLD."detail", OLD."prev_hash", OLD."hash")
     AND NEW."search_doc" = "audit_event_search_document"(OLD."action", OLD."target", OLD."actor_id", OLD."client_id", OLD."request_id", OLD."input", OLD."detail") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Fills the documents of up to `batch` rows written before this migration, newest first; returns how
-- many it filled (fewer than `batch`: done). SECURITY DEFINER: an application role without UPDATE on
-- audit_event may call it, and this is all it can do.
CREATE FUNCTION "audit_fill_search_docs"(batch INTEGER) RETURNS INTEGER LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  filled INTEGER;
BEGIN
  UPDATE "audit_event" a
     SET "search_doc" = "audit_event_search_document"(a."action", a."target", a."actor_id", a."client_id", a."request_id", a."input", a."detail")
   WHERE a."seq" IN (SELECT m."seq" FROM "audit_event" m WHERE m."search_doc" IS NULL ORDER BY m."seq" DESC LIMIT batch)
     -- a concurrent fill of the same row: rechecked after waiting for it, so the row is skipped, not refused
     AND a."search_doc" IS NULL;
  GET DIAGNOSTICS filled = ROW_COUNT;
  RETURN filled;
END;
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orchestrator_app') THEN
    GRANT EXECUTE ON FUNCTION "audit_fill_search_docs"(INTEGER) TO "orchestrator_app";
  END IF;
END $$;
