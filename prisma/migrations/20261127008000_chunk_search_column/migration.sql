-- Indexing speed (issue 4). The chunk index used to compute each chunk's document inside Postgres
-- (search_split_words' three regex passes, then to_tsvector) and to insert its entries into the GIN
-- tree one row at a time; on the bench corpus (2,000 files, 20,642 chunks) that was ~6.6 s of
-- Postgres time, ~1.7 s of it the regex passes and ~2.4 s the row-at-a-time tree inserts.
-- Now the indexer splits identifiers in Node (splitIdentifiers, src/server/features/search/query.ts,
-- tested against search_split_words) and writes the document into a stored column. A row written
-- without it (fixtures, hand-made rows) gets it from the trigger below, from the same SQL as before.
-- A stored document also spares ANALYZE (autovacuum's too) evaluating an expression index over its
-- sample: ~3–4.5 s → ~0.2 s for that corpus.
DROP INDEX "code_chunk_search_idx";

CREATE FUNCTION "code_chunk_words_document"("symbol_words" TEXT, "words" TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english'::regconfig, COALESCE("symbol_words", '')), 'B')
      || setweight(to_tsvector('english'::regconfig, COALESCE("words", '')), 'D')
$$;
CREATE OR REPLACE FUNCTION "code_chunk_search_document"("path" TEXT, "symbol" TEXT, "content" TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT "code_chunk_words_document"("search_split_words"("symbol"), "search_split_words"("content"))
$$;

ALTER TABLE "code_chunk" ADD COLUMN "search_doc" tsvector;
UPDATE "code_chunk" SET "search_doc" = "code_chunk_search_document"("path", "symbol", "content");

CREATE FUNCTION "code_chunk_fill_search_doc"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  NEW."search_doc" := "code_chunk_search_document"(NEW."path", NEW."symbol", NEW."content");
  RETURN NEW;
END
$$;
-- A WHEN clause is checked without calling the function: rows that carry their document pay nothing.
CREATE TRIGGER "code_chunk_search_doc_insert" BEFORE INSERT ON "code_chunk"
  FOR EACH ROW WHEN (NEW."search_doc" IS NULL) EXECUTE FUNCTION "code_chunk_fill_search_doc"();
CREATE TRIGGER "code_chunk_search_doc_update" BEFORE UPDATE OF "symbol", "content" ON "code_chunk"
  FOR EACH ROW WHEN (NEW."search_doc" IS NOT DISTINCT FROM OLD."search_doc") EXECUTE FUNCTION "code_chunk_fill_search_doc"();

-- fastupdate = on: new entries go to the index's pending list and are merged into the tree in bulk,
-- sorted and once per lexeme (~0.4 s instead of ~2.4 s for that load). The indexer merges every list
-- at the end of each run (gin_clean_pending_list), so searches do not keep scanning pending entries.
CREATE INDEX "code_chunk_search_doc_idx" ON "code_chunk" USING GIN ("search_doc") WITH (fastupdate = on);
ALTER INDEX "repo_file_path_search_idx" SET (fastupdate = on);
ALTER INDEX "repo_file_symbols_search_idx" SET (fastupdate = on);
ALTER INDEX "repo_file_summary_search_idx" SET (fastupdate = on);
ALTER INDEX "repo_file_search_idx" SET (fastupdate = on);
ALTER INDEX "folder_summary_search_idx" SET (fastupdate = on);
