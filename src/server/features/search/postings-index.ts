import type { SqlRunner } from "@/server/adapters/db/sql";
import { fileKeyOf, type CodeFilters } from "./fulltext";
import type { FileDetails, PageFile } from "./page";
import { NO_TERMS, type ChunkSignals, type Corpus, type FileSignals } from "./rank";
import { globMatcher, pathPrefixHolds } from "./query";
import { nameHolds, pathWordsOf, symbolHits, symbolMatcher, type PathWords, type SymbolWords, type TextSignals } from "./signals";

/**
 * The code search's postings as loaded into memory (postings.ts holds them and keeps them current): which
 * chunks and which file fields hold which lexeme, read whole from the database's own documents (each
 * chunk's stored document, each file field's document as its GIN index reads it), with what a result shows
 * of its file, chunk and repo (fileDetails), so a page is described from the same state it was ranked on.
 *
 * A question's signals are made from them by the rules fulltext.ts's signalsFrom applies to the candidate
 * statement's rows (signals.ts), without making the rows: the same signals, so the same ranking and the same
 * answers (postings.int.test.ts compares the two).
 */

interface FileEntry {
  repoId: string;
  path: string;
  /** fileKeyOf(repoId, path), made once. */
  key: string;
  /** Its path's words, split when a search first needs them. */
  words?: PathWords;
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
  /** Per chunk, the first chunk of its file at its start line (itself, unless two start on one line): a chunk is its file's start line. */
  sameLine: Int32Array;
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
  /** Symbols' words, split when a search first needs them. */
  symbolWords: Map<string, SymbolWords>;
  /** Files and their total size, in all and per repo: a search without filters needs no pass over the files. */
  sizes: { files: number; bytes: number };
  repoSizes: Map<string, { files: number; bytes: number }>;
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
    const key = fileKeyOf(r.repo_id, r.path);
    files.push({ repoId: r.repo_id, path: r.path, key, size: r.size, language: r.lower, details: { language: r.language, summary: r.summary } });
    fileNo.set(key, n);
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
  const sameLine = new Int32Array(count);
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
    sameLine[c] = c;
    if (f < 0) return;
    const at = `${f}:${r.start_line}`;
    const earlier = chunkAt.get(at);
    if (earlier === undefined) chunkAt.set(at, c);
    else sameLine[c] = earlier;
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
    sameLine,
    firstChunk,
    fileNo,
    repos,
    chunks: chunks.done(),
    path: pathMap,
    sym: sym.done(),
    summary: summary.done(),
    pathLexemes: [...pathMap.keys()].sort(),
    symbolWords: new Map(),
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

/**
 * The ranking's signals for one question's lexemes (in the candidate statement's order), as signalsFrom
 * makes them of the statement's rows: a chunk per start line of a file holding any term (with one term, a
 * chunk per row), its terms in term order and those its symbol holds; per file, the terms its path (itself
 * or a word it begins, pathPrefixHolds), its file name, its symbols and its summary hold.
 */
export function signalsOf(p: Postings, lexemes: string[], filters: CodeFilters, language: string | null): TextSignals | null {
  if (lexemes.length === 0) return null;
  const kept = fileFilter(p, filters, language);
  const symbolHas = symbolMatcher(lexemes, p.symbolWords);
  const chunks: ChunkSignals[] = [];
  // terms in order, each term's chunks in order: a chunk's terms arrive in term order, so need no sorting
  const atLine = lexemes.length > 1 ? new Map<number, ChunkSignals>() : null;
  lexemes.forEach((lexeme, k) => {
    const list = p.chunks.get(lexeme);
    if (!list) return;
    for (const c of list) {
      const f = p.chunkFile[c]!;
      if (f < 0 || (kept && !kept(f))) continue;
      const chunk = atLine?.get(p.sameLine[c]!);
      if (chunk) {
        chunk.hits.push(k);
        continue;
      }
      const file = p.files[f]!;
      const made: ChunkSignals = { fileKey: file.key, startLine: p.startLine[c]!, endLine: p.endLine[c]!, symbol: p.symbol[c] ?? null, hits: [k], symHits: NO_TERMS, fileSize: file.size };
      atLine?.set(p.sameLine[c]!, made);
      chunks.push(made);
    }
  });
  for (const c of chunks) if (c.symbol) c.symHits = symbolHits(c.symbol, c.hits, symbolHas);

  const files = new Map<number, FileSignals>();
  const signalsOfFile = (f: number) => files.get(f) ?? files.set(f, { fileKey: p.files[f]!.key, path: [], base: [], sym: [], summary: [] }).get(f)!;
  const wordsOf = (file: FileEntry) => (file.words ??= pathWordsOf(file.path));
  lexemes.forEach((lexeme, k) => {
    const exact = p.path.get(lexeme);
    for (const f of prefixMatches(p, lexeme)) {
      if (kept && !kept(f)) continue;
      const file = p.files[f]!;
      if (!(exact && includes(exact, f)) && !pathPrefixHolds(file.path, lexeme, wordsOf(file).path)) continue;
      const s = signalsOfFile(f);
      s.path.push(k);
      if (nameHolds(lexeme, wordsOf(file))) s.base.push(k);
    }
  });
  for (const [field, map] of [
    ["sym", p.sym],
    ["summary", p.summary],
  ] as const)
    lexemes.forEach((lexeme, k) => {
      for (const f of map.get(lexeme) ?? []) if (!kept || kept(f)) signalsOfFile(f)[field].push(k);
    });
  return { lexemes, chunks, files: [...files.values()], corpus: corpusOf(p, filters, kept) };
}

/** Where the first item not below `value` is in an ascending list (its length: none), by binary search. */
function firstAtLeast<T extends number | string>(list: ArrayLike<T>, value: T): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether an ascending list holds n. */
const includes = (list: Int32Array, n: number) => list[firstAtLeast(list, n)] === n;

/** Files whose path holds a lexeme beginning with `prefix` (a tsquery's `prefix:*`), each once, ascending. */
function prefixMatches(p: Postings, prefix: string): number[] {
  const sorted = p.pathLexemes;
  const found = new Set<number>();
  for (let i = firstAtLeast(sorted, prefix); i < sorted.length && sorted[i]!.startsWith(prefix); i++) for (const f of p.path.get(sorted[i]!)!) found.add(f);
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
