-- Recall ranks file and folder summaries by ts_rank_cd over their documents. Computed from the row at
-- query time, a question that matched a hundred files spent ~20 ms of Postgres making their documents
-- twice (the index's recheck, then the rank), ~0.2 ms each. Stored, both read them.
-- Expand only: generated columns are filled by Postgres on every write, the previous release's too, and
-- the expression indexes it searches by stay until a later release drops them.
ALTER TABLE "repo_file" ADD COLUMN "search_doc" tsvector
  GENERATED ALWAYS AS ("repo_file_search_document"("path", "symbols", "summary")) STORED;
CREATE INDEX "repo_file_search_doc_idx" ON "repo_file" USING GIN ("search_doc") WITH (fastupdate = off);

ALTER TABLE "folder_summary" ADD COLUMN "search_doc" tsvector
  GENERATED ALWAYS AS ("folder_summary_search_document"("path", "summary")) STORED;
CREATE INDEX "folder_summary_search_doc_idx" ON "folder_summary" USING GIN ("search_doc") WITH (fastupdate = off);
