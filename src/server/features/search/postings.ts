import { queryPreparedOn } from "@/server/adapters/db";
import type { SqlRunner } from "@/server/adapters/db/sql";
import { fileKeyOf, type CodeFilters, type FieldRow, type FileHitRow } from "./fulltext";
import type { DetailsReader, FileDetails, PageFile } from "./page";
import type { Corpus } from "./rank";
import { globMatcher } from "./query";

/**
 * The code search's postings (which chunks and which file fields hold which lexeme) in the app's memory.
 * The candidate statement, which reads them from the GIN indexes, and the page's statement, which reads
 * the leading files' text, were most of a search's CPU: on the embedded database (PGlite) the app's own,
 * on the one thread every request waits on; on Postgres the database's, on the same cores as the app.
 * Here a search asks the database at most to stem a question it has not seen, and finds the hits in memory.
 *
 * The postings are the database's own: each chunk's stored document and each file field's document as its
 * index reads them, loaded whole, with what a result shows of its file, chunk and repo (fileDetails), so a
 * page is described from the same state it was ranked on. Every write to the index's tables sends a
 * notification (migration 20261206013000_search_index_changed), which Postgres delivers on commit to the
 * connection the app listens on; from then until a rebuild in the background has caught up, searches ask
 * the database as before. On the embedded database it is delivered before the write's caller goes on; on
 * Postgres a search first makes one round trip on the listening connection, which Postgres answers only
 * after sending what is pending (a lost listen connection counts as a change when it drops and again when it
 * is back). Either way an answer is never staler than the database.
 *
 * The hits come out as the candidate statement returns them (fulltext.ts, FileHitRow and FieldRow), in the
 * same order (terms in lexeme order, each term's chunks and files in the tables' physical order, as a bitmap
 * scan returns them), so the same code ranks both and the answers are the same.
 */

/**
 * Above this many chunks, or this much code, the postings stay in the database. Measured on this checkout
 * (4,500 chunks, 3.5 MB of code): 8 MB of heap, so ~1.8 kB a chunk, code included; 60,000 chunks would be
 * ~110 MB. More on the embedded database, whose statements cost the app's own thread; less beside a real
 * Postgres, which answers well on its own and whose instances may be small.
 */
const limitsFor = (runner: SqlRunner) => (runner.inProcess ? { chunks: 60_000, codeBytes: 48 * 1024 * 1024 } : { chunks: 30_000, codeBytes: 24 * 1024 * 1024 });

interface FileEntry {
  repoId: string;
  path: string;
  size: number;
  /** lower(language), as the database lower-cases it. */
  language: string | null;
  details: Pick<FileDetails, "language" | "summary">;
}

type RepoDetails = Pick<FileDetails, "html_url" | "indexed_sha" | "default_branch" | "local_path">;

interface Postings {
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

interface Held {
  /** How many times the index's tables have changed since the app began listening (each NOTIFY received). */
  changes: number;
  listening: Promise<void> | null;
  postings: Postings | null;
  /** The changes count the postings were found too large to hold at. */
  tooLargeAt: number | null;
  building: Promise<void> | null;
  /** No rebuild starts before this time (ms since the epoch), so rebuilds take a small share of the thread while the index keeps changing. */
  nextBuildAt: number;
  /** Questions' lexemes, by their words and language filter, the least recently asked dropped first. */
  stems: Map<string, Stems>;
}
interface Stems {
  lexemes: string[];
  /** lower(language filter), as the database lower-cases it. */
  language: string | null;
}

const held = new WeakMap<SqlRunner, Held>();
const heldFor = (runner: SqlRunner) =>
  held.get(runner) ?? held.set(runner, { changes: 0, listening: null, postings: null, tooLargeAt: null, building: null, nextBuildAt: 0, stems: new Map() }).get(runner)!;

/** What every write to the index's tables notifies (migration 20261206013000_search_index_changed). */
const CHANGED = "search_index_changed";
/** A rebuild waits at least this many times the last one's duration after it, while the index keeps changing. */
const REBUILD_SPACING = 4;
/** Questions whose lexemes are kept: stemming is a function of the words alone, and a question asked again needs no statement. */
const MAX_STEMS = 1_000;

/** What the candidate statement returns, from memory, and the files' details from the same postings. */
export interface HeldHits {
  lexemes: string[];
  chunks: FileHitRow[];
  fields: FieldRow[];
  corpus: Corpus;
  details: DetailsReader;
}

/**
 * The question's hits from the postings in memory, or undefined when they are not up to date (a rebuild
 * then starts in the background, and the caller asks the database). No statement for a question asked
 * before; for a new one, one: its lexemes, in the order the candidate statement numbers them.
 */
export async function hitsInMemory(runner: SqlRunner, words: string, filters: CodeFilters): Promise<HeldHits | undefined> {
  const h = heldFor(runner);
  if (!(await listening(runner, h))) return undefined;
  // every change committed before this search is counted first (on Postgres, a round trip on the listening connection)
  if (runner.caughtUp) {
    try {
      await runner.caughtUp();
    } catch {
      return undefined; // the listening connection is down: the database answers
    }
  }
  const p = h.postings;
  if (p?.changes !== h.changes) {
    if (h.tooLargeAt !== h.changes) startBuild(runner, h);
    return undefined;
  }
  // a change arriving while the words are stemmed leaves p as it was: one state, the one before it
  const { lexemes, language } = await stemsOf(runner, h, words, filters.language || null);
  return { ...hitsOf(p, lexemes, filters, language), details: async (files, content) => detailsOf(p, files, content) };
}

/** Brings the postings up to date now (a server's warm-up, tests). False when they are too large to hold, or the database cannot say when they change. */
export async function refreshPostings(runner: SqlRunner): Promise<boolean> {
  const h = heldFor(runner);
  if (!(await listening(runner, h))) return false;
  await h.building;
  h.building = build(runner, h);
  await h.building;
  return h.postings !== null;
}

/** Listens for the index's changes on the database's connection, once; false where it cannot (the database answers). */
async function listening(runner: SqlRunner, h: Held): Promise<boolean> {
  if (!runner.listen) return false;
  h.listening ??= runner.listen(CHANGED, () => void h.changes++);
  try {
    await h.listening;
    return true;
  } catch {
    h.listening = null; // the next search tries again
    return false;
  }
}

async function stemsOf(runner: SqlRunner, h: Held, words: string, language: string | null): Promise<Stems> {
  const key = `${words}\u0000${language ?? ""}`;
  let stems = h.stems.get(key);
  if (stems) h.stems.delete(key);
  else {
    const [row] = await queryPreparedOn<Stems>(
      runner,
      `SELECT ARRAY(SELECT "lexeme" FROM unnest(to_tsvector('english'::regconfig, $1::text)) ORDER BY "lexeme") AS "lexemes", lower($2::text) AS "language"`,
      [words, language],
    );
    stems = row!;
    if (h.stems.size >= MAX_STEMS) h.stems.delete(h.stems.keys().next().value!);
  }
  h.stems.set(key, stems);
  return stems;
}

function startBuild(runner: SqlRunner, h: Held) {
  if (h.building || Date.now() < h.nextBuildAt) return;
  h.building = build(runner, h).catch((err: unknown) => {
    // the database path keeps answering; say why once per failure rather than per search
    console.warn(`code search: the postings could not be loaded into memory (${err instanceof Error ? err.message : String(err)}); searches ask the database`);
    h.nextBuildAt = Date.now() + 60_000;
  });
}

async function build(runner: SqlRunner, h: Held): Promise<void> {
  const t0 = Date.now();
  // counted before reading: a change committed meanwhile makes these postings out of date, never a stale answer current
  const changes = h.changes;
  try {
    const [size] = await runner.query<{ chunks: number; bytes: number }>(`SELECT count(*)::int AS "chunks", coalesce(sum(octet_length("content")), 0)::float8 AS "bytes" FROM "code_chunk"`);
    const most = limitsFor(runner);
    if (size!.chunks > most.chunks || size!.bytes > most.codeBytes) {
      h.postings = null;
      h.tooLargeAt = changes;
      return;
    }
    h.postings = await load(runner, changes);
    h.tooLargeAt = null;
  } finally {
    const now = Date.now();
    h.nextBuildAt = now + REBUILD_SPACING * (now - t0);
    h.building = null;
  }
}

async function load(runner: SqlRunner, changes: number): Promise<Postings> {
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

function hitsOf(p: Postings, lexemes: string[], filters: CodeFilters, language: string | null): Omit<HeldHits, "details"> {
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
function detailsOf(p: Postings, files: PageFile[], withContent: boolean): FileDetails[] {
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
