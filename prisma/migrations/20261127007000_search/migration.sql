-- Search quality (issue 4). Identifiers are split into words before indexing: camelCase, PascalCase,
-- ACRONYMCase, snake_case, kebab-case and paths all become plain words ("parseSSEStream" → "parse SSE
-- Stream"), which the 'english' configuration then stems ("retries" → "retri" = "retry"), so a developer's
-- question in prose meets the code's identifiers. One IMMUTABLE function per document, shared by the GIN
-- index and the search query (src/server/features/search), so the planner answers from the index.
-- A function that calls another of ours pins the search path it was created with: Postgres 17 (and the
-- embedded PGlite) builds and maintains indexes with a search path of pg_catalog only.
CREATE FUNCTION "search_split_words"("s" TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(
           regexp_replace(
             regexp_replace(COALESCE("s", ''), '([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g'),
             '([[:upper:]]+)([[:upper:]][[:lower:]])', '\1 \2', 'g'),
           '[^[:alnum:]]+', ' ', 'g')
$$;

-- Chunks: the chunk's symbol (B) and its text (D). The path is a file-level signal (repo_file below), so a
-- term in a file's path does not make every chunk of that file match. Ranking reads term membership from
-- the indexes (one bitmap scan per term), never recomputing documents for candidate rows: computing one
-- costs ~0.5 ms per KB of code, too slow for thousands of candidates.
DROP INDEX IF EXISTS "code_chunk_search_idx";
CREATE OR REPLACE FUNCTION "code_chunk_search_document"("path" TEXT, "symbol" TEXT, "content" TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT setweight(to_tsvector('english'::regconfig, "search_split_words"("symbol")), 'B')
      || setweight(to_tsvector('english'::regconfig, "search_split_words"("content")), 'D')
$$;
CREATE INDEX "code_chunk_search_idx" ON "code_chunk" USING GIN ("code_chunk_search_document"("path", "symbol", "content")) WITH (fastupdate = off);

-- Files: one document per field (path, exported symbols, summary), each with its own index, so each
-- field's matches come from an index; and the whole (path A, symbols B, summary C) for recall.
CREATE FUNCTION "search_words_document"("s" TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT to_tsvector('english'::regconfig, "search_split_words"("s"))
$$;
CREATE FUNCTION "search_list_text"("items" TEXT[]) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(array_to_string("items", ' '), '')
$$;
CREATE INDEX "repo_file_path_search_idx" ON "repo_file" USING GIN ("search_words_document"("path")) WITH (fastupdate = off);
CREATE INDEX "repo_file_symbols_search_idx" ON "repo_file" USING GIN ("search_words_document"("search_list_text"("symbols"))) WITH (fastupdate = off);
CREATE INDEX "repo_file_summary_search_idx" ON "repo_file" USING GIN ("search_words_document"("summary")) WITH (fastupdate = off);

CREATE FUNCTION "repo_file_search_document"("path" TEXT, "symbols" TEXT[], "summary" TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT setweight("search_words_document"("path"), 'A')
      || setweight("search_words_document"("search_list_text"("symbols")), 'B')
      || setweight("search_words_document"("summary"), 'C')
$$;
CREATE INDEX "repo_file_search_idx" ON "repo_file" USING GIN ("repo_file_search_document"("path", "symbols", "summary")) WITH (fastupdate = off);

-- Folders: path (A), summary (C), for recall ("where is billing handled?").
CREATE FUNCTION "folder_summary_search_document"("path" TEXT, "summary" TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT setweight("search_words_document"("path"), 'A') || setweight("search_words_document"("summary"), 'C')
$$;
CREATE INDEX "folder_summary_search_idx" ON "folder_summary" USING GIN ("folder_summary_search_document"("path", "summary")) WITH (fastupdate = off);
