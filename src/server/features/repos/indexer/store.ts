import type { Db } from "@/server/adapters/db";
import type { PreparedFile } from "./prepare";

/**
 * The index's rows in Postgres. Each batch is one transaction, stored whole or not at all. Rows go in as
 * one JSON parameter per table (jsonb_to_recordset): one statement, whatever the batch size.
 */

export async function indexedFiles(db: Db, repoId: string): Promise<Map<string, string>> {
  // raw: the one query of a run that grows with the repo, so no per-row client mapping
  const rows = await db.$queryRawUnsafe<{ path: string; blob_sha: string }[]>(`SELECT path, blob_sha FROM repo_file WHERE repo_id = $1`, repoId);
  return new Map(rows.map((r) => [r.path, r.blob_sha]));
}

export async function chunkIdsOf(db: Db, repoId: string, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const rows = await db.codeChunk.findMany({ where: { repoId, path: { in: paths } }, select: { id: true } });
  return rows.map((r) => r.id);
}

export interface BatchCounts {
  added: number;
  changed: number;
  removed: number;
  skipped: number;
  chunks: number;
  tokens: number;
  done: number;
}

/** Replaces these files' rows and chunks (removing `removed` ones) and books the run's progress, in one transaction. */
export async function writeBatch(db: Db, repoId: string, runId: string, files: PreparedFile[], removed: string[], counts: BatchCounts): Promise<void> {
  const now = new Date();
  await db.$transaction(
    async (tx) => {
      const paths = [...files.map((f) => f.path), ...removed];
      if (paths.length) await tx.$executeRawUnsafe(`DELETE FROM repo_file WHERE repo_id = $1 AND path = ANY($2::text[])`, repoId, paths); // chunks cascade
      if (files.length) {
        const fileRows = files.map((f) => ({
          repo_id: repoId,
          path: f.path,
          blob_sha: f.blobSha,
          language: f.language,
          size: f.size,
          summary_source: f.summarySource,
          summary: f.summary,
          symbols: f.symbols,
        }));
        await tx.$executeRawUnsafe(
          `INSERT INTO repo_file (repo_id, path, blob_sha, language, size, summary_source, summary, symbols, indexed_at)
         SELECT repo_id, path, blob_sha, language, size, summary_source, summary, symbols, $2::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS x(repo_id text, path text, blob_sha text, language text, size int, summary_source text, summary text, symbols text[])`,
          JSON.stringify(fileRows),
          now.toISOString(),
        );
        // Identifiers come split (prepare.ts): Postgres only stems them into the stored document.
        const chunkRows = files.flatMap((f) =>
          f.chunks.map((c) => ({
            id: c.id,
            repo_id: repoId,
            path: f.path,
            blob_sha: f.blobSha,
            start_line: c.startLine,
            end_line: c.endLine,
            kind: c.kind,
            symbol: c.symbol,
            language: f.language,
            content: c.content,
            symbol_words: c.symbolWords,
            words: c.words,
          })),
        );
        if (chunkRows.length) {
          await tx.$executeRawUnsafe(
            `INSERT INTO code_chunk (id, repo_id, path, blob_sha, start_line, end_line, kind, symbol, language, content, search_doc)
           SELECT id, repo_id, path, blob_sha, start_line, end_line, kind, symbol, language, content, code_chunk_words_document(symbol_words, words)
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, repo_id text, path text, blob_sha text, start_line int, end_line int, kind text, symbol text, language text, content text, symbol_words text, words text)`,
            JSON.stringify(chunkRows),
          );
        }
      }
      await tx.indexRun.update({
        where: { id: runId },
        data: {
          filesAdded: { increment: counts.added },
          filesChanged: { increment: counts.changed },
          filesRemoved: { increment: counts.removed },
          filesSkipped: { increment: counts.skipped },
          chunks: { increment: counts.chunks },
          tokensEmbedded: { increment: counts.tokens },
          filesDone: { increment: counts.done },
        },
      });
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** The tables whose full-text GIN indexes take new entries into a pending list (fastupdate, migration 20261127008000). */
const SEARCH_TABLES = ["code_chunk", "repo_file", "folder_summary"];

/**
 * Merges the full-text indexes' pending lists into their trees, in bulk: each search scans whatever
 * is still pending, so a run leaves none behind. Needs to own the indexes (as the migrations' role does).
 */
export async function mergePendingEntries(db: Db): Promise<void> {
  await db.$queryRawUnsafe(
    `SELECT gin_clean_pending_list(i.indexrelid)
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      WHERE a.amname = 'gin' AND i.indrelid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
      ORDER BY i.indexrelid`,
    SEARCH_TABLES,
  );
}
