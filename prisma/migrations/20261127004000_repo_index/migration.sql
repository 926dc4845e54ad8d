-- CreateTable
CREATE TABLE "repo" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "default_branch" TEXT NOT NULL,
    "local_path" TEXT,
    "html_url" TEXT,
    "indexed_sha" TEXT,
    "indexed_at" TIMESTAMPTZ(3),
    "index_state" TEXT NOT NULL DEFAULT 'never',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "repo_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "repo_source_check" CHECK ("source" IN ('github', 'local')),
    CONSTRAINT "repo_index_state_check" CHECK ("index_state" IN ('never', 'queued', 'indexing', 'ready', 'failed'))
);

-- CreateTable
CREATE TABLE "repo_file" (
    "repo_id" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "blob_sha" TEXT NOT NULL,
    "language" TEXT,
    "size" INTEGER NOT NULL,
    "summary_source" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "symbols" TEXT[],
    "indexed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "repo_file_pkey" PRIMARY KEY ("repo_id","path")
);

-- CreateTable
CREATE TABLE "code_chunk" (
    "id" TEXT NOT NULL,
    "repo_id" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "blob_sha" TEXT NOT NULL,
    "start_line" INTEGER NOT NULL,
    "end_line" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "symbol" TEXT,
    "language" TEXT,
    "content" TEXT NOT NULL,

    CONSTRAINT "code_chunk_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "code_chunk_lines_check" CHECK ("start_line" >= 1 AND "end_line" >= "start_line")
);

-- CreateTable
CREATE TABLE "folder_summary" (
    "repo_id" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "file_count" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "folder_summary_pkey" PRIMARY KEY ("repo_id","path")
);

-- CreateTable
CREATE TABLE "index_run" (
    "id" UUID NOT NULL,
    "repo_id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "full" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "from_sha" TEXT,
    "to_sha" TEXT,
    "files_added" INTEGER NOT NULL DEFAULT 0,
    "files_changed" INTEGER NOT NULL DEFAULT 0,
    "files_removed" INTEGER NOT NULL DEFAULT 0,
    "files_skipped" INTEGER NOT NULL DEFAULT 0,
    "chunks" INTEGER NOT NULL DEFAULT 0,
    "tokens_embedded" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "index_run_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "index_run_status_check" CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed'))
);

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "action" TEXT,
    "repo_id" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "code_chunk_repo_id_path_idx" ON "code_chunk"("repo_id", "path");
CREATE INDEX "index_run_repo_id_created_at_idx" ON "index_run"("repo_id", "created_at");
CREATE INDEX "index_run_status_idx" ON "index_run"("status");
CREATE INDEX "webhook_delivery_received_at_idx" ON "webhook_delivery"("received_at");

-- AddForeignKey
ALTER TABLE "repo_file" ADD CONSTRAINT "repo_file_repo_id_fkey" FOREIGN KEY ("repo_id") REFERENCES "repo"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "index_run" ADD CONSTRAINT "index_run_repo_id_fkey" FOREIGN KEY ("repo_id") REFERENCES "repo"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- Chunks belong to a file: removing the file (or the repo) removes its chunks.
ALTER TABLE "code_chunk" ADD CONSTRAINT "code_chunk_repo_file_fkey" FOREIGN KEY ("repo_id", "path") REFERENCES "repo_file"("repo_id", "path") ON DELETE CASCADE ON UPDATE CASCADE;

-- Full-text search over chunks. One IMMUTABLE function defines the document so the GIN index and the
-- search query (src/server/features/search) use the same expression. Paths and symbols are indexed
-- whole and split at punctuation and camelCase is left to the query side; path and symbol weigh more
-- than the body (weights A/B/D).
CREATE FUNCTION "code_chunk_search_document"("path" TEXT, "symbol" TEXT, "content" TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig, translate(COALESCE("path", ''), './-_', '    ')), 'A')
      || setweight(to_tsvector('simple'::regconfig, COALESCE("symbol", '')), 'B')
      || setweight(to_tsvector('simple'::regconfig, translate(COALESCE("content", ''), '._()[]{}<>:;,=+-*/\"''`', '                       ')), 'D')
$$;

CREATE INDEX "code_chunk_search_idx" ON "code_chunk" USING GIN ("code_chunk_search_document"("path", "symbol", "content"));
