import { queryPreparedSql, type SqlSource } from "@/server/adapters/db";

/** A file to describe: its best chunk's start line (null: it matched on its path, symbols or summary alone) and, for proximity, its second's. */
export interface PageFile {
  repoId: string;
  path: string;
  startLine: number | null;
  secondLine?: number | null;
}

/** What a result shows besides its ranking: its file's and repo's fields and its best chunk's text. */
export interface FileDetails {
  language: string | null;
  summary: string | null;
  html_url: string | null;
  indexed_sha: string | null;
  default_branch: string | null;
  local_path: string | null;
  /** The file's first chunk, for a file that matched on its path, symbols or summary alone. */
  first: { startLine: number; endLine: number; symbol: string | null } | null;
  /** The best chunk's text (or the first chunk's), when asked for. */
  content: string | null;
  /** The second chunk's text, when its start line was given. */
  second: string | null;
}

/**
 * Each file's and repo's fields, its best chunk's text when asked for (`content`), its second chunk's
 * when given, and, for a file that matched on its path, symbols or summary alone, its first chunk: one
 * statement, so the leading files' text for proximity and a page's description come together. Files are
 * looked up by key, one per file: PGlite keeps no statistics, and a join read all of them; chunks by
 * (repo, path, start line), one index entry each (migration 20261206012600). Prepared once
 * (queryPreparedSql): on PGlite planning it cost about half of it, and its plan never depends on its values.
 */
export async function fileDetails(src: SqlSource, files: PageFile[], content: boolean): Promise<FileDetails[]> {
  if (files.length === 0) return [];
  const rows = await queryPreparedSql<FileDetails & { ord: number }>(
    src,
    `
    SELECT k."ord"::int AS "ord", f."language", f."summary", r."html_url", r."indexed_sha", r."default_branch", r."local_path", first."line" AS "first",
           CASE WHEN $5 THEN (
             SELECT c."content" FROM "code_chunk" c
              WHERE c."repo_id" = k."repo_id" AND c."path" = k."path" AND c."start_line" = COALESCE(k."start_line", (first."line" ->> 'startLine')::int)
              LIMIT 1) END AS "content",
           CASE WHEN k."second_line" IS NOT NULL THEN (
             SELECT c."content" FROM "code_chunk" c WHERE c."repo_id" = k."repo_id" AND c."path" = k."path" AND c."start_line" = k."second_line" LIMIT 1) END AS "second"
      FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) WITH ORDINALITY AS k("repo_id", "path", "start_line", "second_line", "ord")
      LEFT JOIN LATERAL (SELECT f."language", f."summary" FROM "repo_file" f WHERE f."repo_id" = k."repo_id" AND f."path" = k."path") f ON true
      LEFT JOIN "repo" r ON r."id" = k."repo_id"
      LEFT JOIN LATERAL (
        SELECT json_build_object('startLine', c."start_line", 'endLine', c."end_line", 'symbol', c."symbol") AS "line"
          FROM "code_chunk" c WHERE k."start_line" IS NULL AND c."repo_id" = k."repo_id" AND c."path" = k."path"
         ORDER BY c."start_line" LIMIT 1) first ON true`,
    [files.map((f) => f.repoId), files.map((f) => f.path), files.map((f) => f.startLine), files.map((f) => f.secondLine ?? null), content],
  );
  const out: FileDetails[] = files.map(() => ({ language: null, summary: null, html_url: null, indexed_sha: null, default_branch: null, local_path: null, first: null, content: null, second: null }));
  for (const { ord, ...row } of rows) out[ord - 1] = row;
  return out;
}

/** Reads files' details (fileDetails' contract): from the database, or from the postings a search was ranked with (postings.ts). */
export type DetailsReader = (files: PageFile[], content: boolean) => Promise<FileDetails[]>;
export const detailsFromDatabase =
  (src: SqlSource): DetailsReader =>
  (files, content) =>
    fileDetails(src, files, content);

/** Details already read for some files (the leading files, with their best chunk's text), by file key, with the start line they were read for. */
export type KnownDetails = Map<string, { startLine: number | null; details: FileDetails }>;
