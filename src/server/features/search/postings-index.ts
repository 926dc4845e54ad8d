import type { SqlRunner } from "@/server/adapters/db/sql";
import { fileKeyOf, type CodeFilters, type FieldRow, type FileHitRow } from "./fulltext";
import type { FileDetails, PageFile } from "./page";
import type { Corpus } from "./rank";
import { globMatcher } from "./query";

/**
 * The code search's postings as loaded into memory (postings.ts holds them and keeps them current): which
 * chunks and which file fields hold which lexeme, read whole from the database's own documents (each
 * chunk's stored document, each file field's document as its GIN index reads it), with what a result shows
 * of its file, chunk and repo (fileDetails), so a page is described from the same state it was ranked on.
 *
 * The hits come out as the candidate statement returns them (fulltext.ts, FileHitRow and FieldRow), in the
 * same order (terms in lexeme order, each term's chunks and files in the tables' physical order, as a bitmap
 * scan returns them), so the same code ranks both and the answers are the same.
 */

interface FileEntry {
  repoId: string;
  path: string;
  size: number;
  /** lower(language), as the database lower-cases it. */
  language: string | null;
  details: Pick<FileDetails, "language" | "summary">;
}

type RepoDetails = Pick<FileDetails, "html_url" | "indexed_sha" | "default_branch" | "local_path">;

export interface Postings {
  /** The changes count they were read at. */
  changes: number;
  files: FileEntry[];
  /** Per chunk, in the table's physical order: its file's number, its lines, its symbol. */
  chunkFile: Int32Array;
  startLine: Int32Array;
  endLine: Int32Array;
  symbol: (string | null)[];
  content: string[];
  /** A file's chunk by its start line (a file number and a start line), and its first chunk (-1: none). */
  chunkAt: Map<string, number>;
  firstChunk: Int32Array;
  fileNo: Map<string, number>;
  repos: Map<string, RepoDetails>;
  /** Lexeme → chunk numbers, ascending. */
  chunks: Map<string, Int32Array>;
  /** Lexeme → file numbers, ascending, for each file field as its GIN index reads it. */
  path: Map<string, Int32Array>;
  sym: Map<string, Int32Array>;
  summary: Map<string, Int32Array>;
  /** The path field's lexemes, sorted: a prefix's matches are one run of it. */
  pathLexemes: string[];
  /** Files and their total size, in all and per repo: a search without filters needs no pass over the files. */
  sizes: { files: number; bytes: number };
  repoSizes: Map<string, { files: number; bytes: number }>;
}

/** What the candidate statement returns, from the postings. */
export interface PostedHits {
  lexemes: string[];
  chunks: FileHitRow[];
  fields: FieldRow[];
  corpus: Corpus;
}

/** Reads the postings whole; `changes` is the count of changes they are read at (postings.ts). */
export async function loadPostings(runner: SqlRunner, changes: number): Promise<Postings> {
  const repos = new Map((await runner.query<RepoDetails & { id: string }>(`SELECT "id", "html_url", "indexed_sha", "default_branch", "local_path" FROM "repo"`)).map(({ id, ...r }) => [id, r]));
  const fileRows = await runner.query<{
    repo_id: string;
    path: string;
    size: number;
    language: string | null;
    lower: string | null;
    summary: string;
    p: string[] | null;
    s: string[] | null;
    m: string[] | null;
  }>(
    `SELECT "repo_id", "path", "size", "language", lower("language") AS "lower", "summary",
            tsvector_to_array("search_words_document"("path")) AS "p",
            tsvector_to_array("search_words_document"("search_list_text"("symbols"))) AS "s",
            tsvector_to_array("search_words_document"("summary")) AS "m"
       FROM "repo_file" ORDER BY ctid`,
  );
  const files: FileEntry[] = [];
  const fileNo = new Map<string, number>();
  const path = new ListBuilder();
  const sym = new ListBuilder();
  const summary = new ListBuilder();
  const sizes = { files: 0, bytes: 0 };
  const repoSizes = new Map<string, { files: number; bytes: number }>();
  for (const r of fileRows) {
    const n = files.length;
    files.push({ repoId: r.repo_id, path: r.path, size: r.size, language: r.lower, details: { language: r.language, summary: r.summary } });
    fileNo.set(fileKeyOf(r.repo_id, r.path), n);
    path.add(r.p, n);
    sym.add(r.s, n);
    summary.add(r.m, n);
    sizes.files += 1;
    sizes.bytes += r.size;
    const repo = repoSizes.get(r.repo_id) ?? repoSizes.set(r.repo_id, { files: 0, bytes: 0 }).get(r.repo_id)!;
    repo.files += 1;
    repo.bytes += r.size;
  }
  const chunkRows = await runner.query<{ repo_id: string; path: string; start_line: number; end_line: number; symbol: string | null; content: string; l: string[] | null }>(
    `SELECT "repo_id", "path", "start_line", "end_line", "symbol", "content", tsvector_to_array("search_doc") AS "l" FROM "code_chunk" ORDER BY ctid`,
  );
  const count = chunkRows.length;
  const chunkFile = new Int32Array(count);
  const startLine = new Int32Array(count);
  const endLine = new Int32Array(count);
  const symbol: (string | null)[] = new Array<string | null>(count);
  const content: string[] = new Array<string>(count);
  const chunkAt = new Map<string, number>();
  const firstChunk = new Int32Array(files.length).fill(-1);
  const chunks = new ListBuilder();
  chunkRows.forEach((r, c) => {
    // a chunk hangs off its file (a foreign key), so its file is always there
    const f = fileNo.get(fileKeyOf(r.repo_id, r.path)) ?? -1;
    chunkFile[c] = f;
    startLine[c] = r.start_line;
    endLine[c] = r.end_line;
    symbol[c] = r.symbol;
    content[c] = r.content;
    chunks.add(r.l, c);
    if (f < 0) return;
    const at = `${f}:${r.start_line}`;
    if (!chunkAt.has(at)) chunkAt.set(at, c);
    const first = firstChunk[f]!;
    if (first < 0 || r.start_line < startLine[first]!) firstChunk[f] = c;
  });
  const pathMap = path.done();
  return {
    changes,
    files,
    chunkFile,
    startLine,
    endLine,
    symbol,
    content,
    chunkAt,
    firstChunk,
    fileNo,
    repos,
    chunks: chunks.done(),
    path: pathMap,
    sym: sym.done(),
    summary: summary.done(),
    pathLexemes: [...pathMap.keys()].sort(),
    sizes,
    repoSizes,
  };
}

/** Lexeme → ascending numbers, gathered in ascending order. */
class ListBuilder {
  private lists = new Map<string, number[]>();
  add(lexemes: string[] | null, n: number) {
    if (!lexemes) return;
    for (const l of lexemes) {
      const list = this.lists.get(l);
      if (list) list.push(n);
      else this.lists.set(l, [n]);
    }
  }
  done(): Map<string, Int32Array> {
    return new Map([...this.lists].map(([l, list]) => [l, Int32Array.from(list)]));
  }
}

/** Which files the filters keep (null: all), each file tested once, when first met. */
function fileFilter(p: Postings, filters: CodeFilters, language: string | null): ((f: number) => boolean) | null {
  const glob = filters.path ? globMatcher(filters.path) : null;
  if (!filters.repo && !filters.language && !glob) return null;
  const known = new Int8Array(p.files.length); // 0: not yet tested, 1: kept, 2: not
  return (f) => {
    if (known[f] === 0) {
      const file = p.files[f]!;
      const kept = (!filters.repo || file.repoId === filters.repo) && (!filters.language || (file.language !== null && file.language === language)) && (!glob || glob(file.path));
      known[f] = kept ? 1 : 2;
    }
    return known[f] === 1;
  };
}

export function hitsOf(p: Postings, lexemes: string[], filters: CodeFilters, language: string | null): PostedHits {
  const kept = fileFilter(p, filters, language);
  const rowOf = new Map<number, FileHitRow>();
  lexemes.forEach((lexeme, k) => {
    const list = p.chunks.get(lexeme);
    if (!list) return;
    for (const c of list) {
      const f = p.chunkFile[c]!;
      if (f < 0 || (kept && !kept(f))) continue;
      let row = rowOf.get(f);
      if (!row) {
        const file = p.files[f]!;
        rowOf.set(f, (row = { repo_id: file.repoId, path: file.path, size: file.size, chunks: [] }));
      }
      row.chunks.push([p.startLine[c]!, p.endLine[c]!, p.symbol[c] ?? null, k + 1]);
    }
  });
  const fields: FieldRow[] = [];
  const emit = (field: FieldRow["field"], k: number, list: Iterable<number>) => {
    for (const f of list) {
      if (kept && !kept(f)) continue;
      const file = p.files[f]!;
      fields.push({ field, i: k + 1, repo_id: file.repoId, path: file.path });
    }
  };
  // in the candidate statement's order: paths by prefix, paths by the word itself, symbols, summaries
  lexemes.forEach((lexeme, k) => emit("path", k, prefixMatches(p, lexeme)));
  for (const [field, map] of [
    ["pathWord", p.path],
    ["sym", p.sym],
    ["summary", p.summary],
  ] as const)
    lexemes.forEach((lexeme, k) => emit(field, k, map.get(lexeme) ?? []));
  return { lexemes, chunks: [...rowOf.values()], fields, corpus: corpusOf(p, filters, kept) };
}

/** Files whose path holds a lexeme beginning with `prefix` (a tsquery's `prefix:*`), each once, ascending. */
function prefixMatches(p: Postings, prefix: string): number[] {
  const sorted = p.pathLexemes;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const found = new Set<number>();
  for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) for (const f of p.path.get(sorted[i]!)!) found.add(f);
  return [...found].sort((a, b) => a - b);
}

/** How many files the filters keep and their mean size, as the candidate statement counts them (count, avg). */
function corpusOf(p: Postings, filters: CodeFilters, kept: ((f: number) => boolean) | null): Corpus {
  let total = p.sizes;
  if (kept && !filters.language && !filters.path) total = p.repoSizes.get(filters.repo!) ?? { files: 0, bytes: 0 };
  else if (kept) {
    total = { files: 0, bytes: 0 };
    p.files.forEach((file, f) => {
      if (!kept(f)) return;
      total.files += 1;
      total.bytes += file.size;
    });
  }
  return { files: total.files, meanSize: total.files > 0 ? total.bytes / total.files : 0 };
}

/** fileDetails from the postings: each file's and repo's fields, its best chunk's text when asked for, its second's, its first chunk. */
export function detailsOf(p: Postings, files: PageFile[], withContent: boolean): FileDetails[] {
  const text = (f: number, line: number | null | undefined) => {
    const c = line === null || line === undefined ? undefined : p.chunkAt.get(`${f}:${line}`);
    return c === undefined ? null : p.content[c]!;
  };
  return files.map(({ repoId, path, startLine, secondLine }) => {
    const f = p.fileNo.get(fileKeyOf(repoId, path));
    const repo = p.repos.get(repoId);
    const firstNo = f === undefined || startLine !== null ? -1 : p.firstChunk[f]!;
    const first = firstNo < 0 ? null : { startLine: p.startLine[firstNo]!, endLine: p.endLine[firstNo]!, symbol: p.symbol[firstNo] ?? null };
    return {
      language: f === undefined ? null : p.files[f]!.details.language,
      summary: f === undefined ? null : p.files[f]!.details.summary,
      html_url: repo?.html_url ?? null,
      indexed_sha: repo?.indexed_sha ?? null,
      default_branch: repo?.default_branch ?? null,
      local_path: repo?.local_path ?? null,
      first,
      content: withContent && f !== undefined ? text(f, startLine ?? first?.startLine) : null,
      second: f === undefined ? null : text(f, secondLine),
    };
  });
}
