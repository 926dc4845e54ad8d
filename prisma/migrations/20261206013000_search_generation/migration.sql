-- Where the database runs in the app's own process (the embedded PGlite), the code search keeps the
-- full-text index's postings, and what a result shows of its file, chunk and repo, in the app's memory
-- (src/server/features/search/postings.ts) instead of asking the database for them on every search. This
-- counter says when they are out of date: every statement that writes the repos, files or chunks of the
-- index (the indexer, pruning, a repo's deletion cascading, a repo's settings) moves it on. A sequence rather than a row, so concurrent writers on a real Postgres never
-- wait for each other on it (nextval takes no lock that lasts the transaction); a rolled-back write
-- moves it on too, which only costs a needless rebuild.
CREATE SEQUENCE "search_generation";

CREATE FUNCTION "search_generation_bump"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM nextval('search_generation');
  RETURN NULL;
END
$$;

-- FOR EACH STATEMENT: once per statement, whatever the number of rows it writes.
CREATE TRIGGER "repo_search_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "repo"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_generation_bump"();
CREATE TRIGGER "repo_file_search_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "repo_file"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_generation_bump"();
CREATE TRIGGER "code_chunk_search_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "code_chunk"
  FOR EACH STATEMENT EXECUTE FUNCTION "search_generation_bump"();
