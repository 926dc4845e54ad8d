-- The audit append on every request, made cheaper for Postgres (issue 2's benchmark):
-- * the app sends each event once, as its canonical JSON (RFC 8785, src/server/core/audit/chain.ts),
--   which is both what is hashed and where the columns are read from: half the bytes of before;
-- * the events are linked and hashed in a loop, then inserted by ONE statement instead of one INSERT
--   per event (each of which set up an executor and re-planned the search document below);
-- * the search document is a single expression, so Postgres inlines it instead of calling a SQL
--   function per row. Same output as before, so the index stays valid without a rebuild.
DROP FUNCTION "audit_append"(JSONB);

CREATE FUNCTION "audit_append"(canonicals JSONB) RETURNS TABLE(o_seq BIGINT, o_prev_hash TEXT, o_hash TEXT) LANGUAGE plpgsql AS $$
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
                             "status", "latency_ms", "request_id", "surface", "ip", "input", "detail", "prev_hash", "hash")
  SELECT seqs[x.i], (x.e->>'at')::TIMESTAMPTZ, x.e->>'actorType', x.e->>'actorId', x.e->>'clientId', x.e->>'action', x.e->>'resourceType',
         x.e->>'target', x.e->>'outcome', (x.e->>'status')::INTEGER, (x.e->>'latencyMs')::INTEGER, x.e->>'requestId', x.e->>'surface',
         x.e->>'ip', NULLIF(x.e->'input', 'null'::JSONB), NULLIF(x.e->'detail', 'null'::JSONB), prevs[x.i], hashes[x.i]
  FROM (SELECT t.value::JSONB AS e, t.i FROM jsonb_array_elements_text(canonicals) WITH ORDINALITY AS t(value, i)) AS x;
  RETURN QUERY SELECT s.seq, s.prev, s.hash FROM unnest(seqs, prevs, hashes) AS s(seq, prev, hash);
END;
$$;

-- The identifier words appear twice rather than through a helper function of ours: Postgres 17 and
-- PGlite evaluate index expressions in maintenance (ANALYZE, REINDEX) with pg_catalog as the only
-- search path, and pinning one (SET search_path) would stop the inlining this is for.
CREATE OR REPLACE FUNCTION "audit_event_search_document"(
  "action" TEXT, "target" TEXT, "actor_id" TEXT, "client_id" TEXT, "request_id" TEXT, "input" JSONB, "detail" JSONB
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple'::regconfig, COALESCE("action", '') || ' ' || COALESCE("target", '') || ' ' || COALESCE("actor_id", '') || ' '
                                          || COALESCE("client_id", '') || ' ' || COALESCE("request_id", ''))
      || to_tsvector('simple'::regconfig, translate(COALESCE("action", '') || ' ' || COALESCE("target", '') || ' ' || COALESCE("actor_id", '') || ' '
                                                    || COALESCE("client_id", '') || ' ' || COALESCE("request_id", ''), './:_@#=/', '        '))
      || jsonb_to_tsvector('simple'::regconfig, COALESCE("input", 'null'::JSONB), '["string", "numeric"]'::JSONB)
      || jsonb_to_tsvector('simple'::regconfig, COALESCE("detail", 'null'::JSONB), '["string", "numeric"]'::JSONB)
$$;
