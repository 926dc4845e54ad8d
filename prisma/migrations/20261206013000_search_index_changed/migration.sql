-- Where the database runs in the app's own process (the embedded PGlite), the code search keeps the
-- full-text index's postings, and what a result shows of its file, chunk and repo, in the app's memory
-- (src/server/features/search/postings.ts) instead of asking the database for them on every search.
-- This notification says when they are out of date: every statement that writes the repos, files or
-- chunks of the index (the indexer, pruning, a repo's deletion cascading, a repo's settings) sends it,
-- and Postgres delivers it to the listening connection once the writing transaction commits (never for
-- one rolled back). The app listens on its own connection, so a search needs no statement to know.
-- On a real Postgres nobody listens and the notification is dropped; a transaction holding several of
-- these statements sends one.
CREATE FUNCTION "search_index_changed"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM pg_notify('search_index_changed', '');
  RETURN NULL;
END
$$;

-- FOR EACH STATEMENT: once per statement, whatever the number of rows it writes.
CREATE TRIGGER "repo_search_index_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "repo"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_index_changed"();
CREATE TRIGGER "repo_file_search_index_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "repo_file"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_index_changed"();
CREATE TRIGGER "code_chunk_search_index_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "code_chunk"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_index_changed"();
