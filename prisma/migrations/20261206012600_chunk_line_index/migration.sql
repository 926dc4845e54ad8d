-- A search reads its leading files' best chunks by (repo, path, start line) (fileDetails, src/server/features/search/page.ts):
-- through the (repo, path) index each read went through all of the file's chunks (6.5 on average over this
-- checkout, up to 61), which on PGlite was a quarter of that statement. The index on all three serves
-- every read the old one did (the foreign key's cascades, a file's chunks), so it replaces it.
DROP INDEX "code_chunk_repo_id_path_idx";
CREATE INDEX "code_chunk_repo_id_path_start_line_idx" ON "code_chunk"("repo_id", "path", "start_line");
