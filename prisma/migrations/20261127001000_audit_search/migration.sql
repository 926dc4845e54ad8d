-- Raw SQL Prisma cannot express: full-text search over the audit log (the dashboard's search box and
-- the `q` of GET /ai/audit). One IMMUTABLE function defines the document, so the GIN index below and
-- the query in src/server/features/audit/search.ts use the same expression and the planner matches them.
-- Identifiers are indexed both whole ("context.put", "acme/web") and split at punctuation ("context",
-- "put"); input and detail contribute their string and number values, not their keys.
CREATE FUNCTION "audit_event_search_document"(
  "action" TEXT, "target" TEXT, "actor_id" TEXT, "client_id" TEXT, "request_id" TEXT, "input" JSONB, "detail" JSONB
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple'::regconfig, "words")
      || to_tsvector('simple'::regconfig, translate("words", './:_@#=/', '        '))
      || jsonb_to_tsvector('simple'::regconfig, COALESCE("input", 'null'::JSONB), '["string", "numeric"]'::JSONB)
      || jsonb_to_tsvector('simple'::regconfig, COALESCE("detail", 'null'::JSONB), '["string", "numeric"]'::JSONB)
  FROM (SELECT COALESCE("action", '') || ' ' || COALESCE("target", '') || ' ' || COALESCE("actor_id", '') || ' '
            || COALESCE("client_id", '') || ' ' || COALESCE("request_id", '') AS "words") AS "d"
$$;

-- CreateIndex
CREATE INDEX "audit_event_search_idx" ON "audit_event" USING GIN (
  "audit_event_search_document"("action", "target", "actor_id", "client_id", "request_id", "input", "detail")
);
