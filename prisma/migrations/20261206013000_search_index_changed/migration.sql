-- The code search keeps the full-text index's postings, and what a result shows of its file, chunk and
-- repo, in the app's memory (src/server/features/search/postings.ts) instead of asking the database for
-- them on every search. This notification says when they are out of date: every statement that writes the
-- files or chunks of the index (the indexer, pruning, a repo's deletion cascading) sends it, and so does a
-- change to what a result shows of a repo (its links, its indexed commit). Postgres delivers it to the
-- connections listening once the writing transaction commits (never for one rolled back); a transaction
-- that sends several sends one.
CREATE FUNCTION "search_index_changed"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM pg_notify('search_index_changed', '');
  RETURN NULL;
END
$$;

-- Files and chunks: once per statement, whatever the number of rows it writes (the indexer writes them
-- in bulk, and only to change them).
CREATE TRIGGER "repo_file_search_index_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "repo_file"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_index_changed"();
CREATE TRIGGER "code_chunk_search_index_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "code_chunk"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_index_changed"();

-- Repos: per row, and only when a row really changes what a result shows. A repo's row is written often
-- for other reasons (the index lock's heartbeat, its state, a registration that finds it already there:
-- INSERT … ON CONFLICT DO NOTHING fires statement triggers, not row triggers), and each notification
-- costs every listening instance a rebuild.
CREATE TRIGGER "repo_row_search_index_changed" AFTER INSERT OR DELETE ON "repo"
  FOR EACH ROW EXECUTE FUNCTION "search_index_changed"();
CREATE TRIGGER "repo_update_search_index_changed" AFTER UPDATE OF "html_url", "indexed_sha", "default_branch", "local_path" ON "repo"
  FOR EACH ROW WHEN (
    OLD."html_url" IS DISTINCT FROM NEW."html_url" OR OLD."indexed_sha" IS DISTINCT FROM NEW."indexed_sha"
    OR OLD."default_branch" IS DISTINCT FROM NEW."default_branch" OR OLD."local_path" IS DISTINCT FROM NEW."local_path"
  ) EXECUTE FUNCTION "search_index_changed"();
CREATE TRIGGER "repo_truncate_search_index_changed" AFTER TRUNCATE ON "repo"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_index_changed"();
