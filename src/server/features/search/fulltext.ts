import { Prisma } from "@/generated/prisma/client";
import { queryPreparedSql, type SqlSource } from "@/server/adapters/db";
import type { PlannedParam } from "@/server/adapters/db/sql";
import { globToRegex, pathPrefixHolds, searchWords } from "./query";
import { detailsFromDatabase, type DetailsReader, type KnownDetails } from "./page";
import { signalsInMemory } from "./postings";
import { proximityScorer } from "./proximity";
import { byScore, NO_TERMS, rankWithTermWeights, WEIGHTS, type ChunkSignals, type Corpus, type FileSignals, type RankedFile, type Weights } from "./rank";
import { nameHolds, pathWordsOf, symbolHits, symbolMatcher, type TextSignals } from "./signals";

/** What narrows a code search: one repo, a path glob, a language. */
export interface CodeFilters {
  repo?: string;
  path?: string;
  language?: string;
}

export const fileKeyOf = (repoId: string, path: string) => `${repoId}\u0000${path}`;
export const splitFileKey = (key: string) => {
  const i = key.indexOf("\u0000");
  return { repoId: key.slice(0, i), path: key.slice(i + 1) };
};

/**
 * A statement run for every search with the same text, whose plan never depends on its values: prepared
 * once per connection on Postgres (a named statement: the candidate statement's text is sent, parsed and
 * planned once: a quarter less of the database's CPU per search, and a little less of the app's) and once on
 * PGlite, where planning costs the app's own CPU.
 */
export const selectPrepared = <T>(src: SqlSource, sql: Prisma.Sql): Promise<T[]> => queryPreparedSql<T>(src, sql.text, sql.values as PlannedParam[]);

/** A chunk's stored document (migration 20261127008000), which its GIN index covers. */
const CHUNK_DOC = Prisma.sql`c."search_doc"`;

function filtersOn(alias: "c" | "f", filters: CodeFilters): Prisma.Sql[] {
  const col = (name: string) => Prisma.raw(`${alias}."${name}"`);
  const out: Prisma.Sql[] = [];
  if (filters.repo) out.push(Prisma.sql`${col("repo_id")} = ${filters.repo}`);
  if (filters.language) out.push(Prisma.sql`lower(${col("language")}) = lower(${filters.language})`);
  if (filters.path) out.push(Prisma.sql`${col("path")} ~ ${globToRegex(filters.path)}`);
  return out;
}
const and = (parts: Prisma.Sql[]) => (parts.length ? Prisma.sql` AND ${Prisma.join(parts, " AND ")}` : Prisma.empty);

/** A file with chunks holding terms: its size, and per chunk and term it holds [start line, end line, symbol, term i (1-based)]. */
export interface FileHitRow {
  repo_id: string;
  path: string;
  size: number;
  chunks: [number, number, string | null, number][];
}
export interface FieldRow {
  /** "path": the path holds the term or a word it begins; "pathWord": the term itself. */
  field: "path" | "pathWord" | "sym" | "summary";
  i: number;
  repo_id: string;
  path: string;
}

/**
 * The question's lexemes as u (t = tsquery literal, i = 1-based position in lexeme order), computed in
 * the statement itself so the search costs no extra round trip; once, as every part of it reads them
 * (stemmed and planned once: on PGlite, a copy per part cost a quarter of the statement).
 */
const TERMS = (words: string) =>
  Prisma.sql`WITH u AS MATERIALIZED (SELECT "lexeme", quote_literal("lexeme") AS t, (row_number() OVER (ORDER BY "lexeme"))::int AS i FROM unnest(to_tsvector('english'::regconfig, ${words})))`;
/** A file field's document exactly as migration 20261127007000_search indexes it, so its GIN index answers. */
const WORDS = (expr: Prisma.Sql) => Prisma.sql`"search_words_document"(${expr})`;

/** Files matching term u.t in one field (or a word it begins, with `prefix`), through that field's own GIN index. */
const fieldMatches = (field: FieldRow["field"], doc: Prisma.Sql, filters: CodeFilters, prefix = false) =>
  Prisma.sql`SELECT ${field}::text AS field, u.i::int AS i, f."repo_id", f."path" FROM u
    JOIN LATERAL (SELECT f."repo_id", f."path" FROM "repo_file" f WHERE ${doc} @@ ${prefix ? Prisma.sql`(u.t || ':*')` : Prisma.sql`u.t`}::tsquery${and(filtersOn("f", filters))}) f ON true`;

/**
 * Paths matching term u.t, or a word its stem begins ("pars" in parser.ts, "run" in runner.ts), which
 * the stemmer leaves apart: a file named after the agent of a question's verb. Kept when the word is
 * only a few letters longer than the stem (pathPrefixHolds), so "run" does not find runtime.ts. Which
 * paths hold the term itself is a second scan of the same index ("pathWord"): asked row by row, the
 * path's document was recomputed for each, which cost more than the rest of the file fields together.
 */
const pathMatches = (filters: CodeFilters) => {
  const doc = WORDS(Prisma.sql`f."path"`);
  return Prisma.sql`${fieldMatches("path", doc, filters, true)} UNION ALL ${fieldMatches("pathWord", doc, filters)}`;
};

/**
 * Full-text candidates ranked at file level, what was read of the leading files to rank them (their
 * details, for the page), and where the rest of the page's details are read: from the same postings when
 * they were held in memory, so a page shows the state it was ranked on.
 */
export async function fullTextFiles(
  src: SqlSource,
  q: string,
  filters: CodeFilters,
  w: Weights = WEIGHTS,
): Promise<{ files: RankedFile[]; terms: string[]; known: KnownDetails; details: DetailsReader }> {
  const { signals: s, details } = await fullTextSignals(src, q, filters);
  if (!s) return { files: [], terms: [], known: new Map(), details };
  const { files, termWeights } = rankWithTermWeights(s.lexemes, s.chunks, s.files, s.corpus, w);
  return { ...(await byProximity(details, files, s.lexemes, termWeights, w)), terms: s.lexemes, details };
}

/**
 * The leading files rescored by how near the question's words are to each other in their best chunks
 * (one query for those chunks' text): the index keeps which words a chunk holds, not where. The rest
 * stay in order below them (rescoring only raises a score). The same statement reads what a page shows
 * of these files (fileDetails), so a first page needs no statement of its own.
 */
async function byProximity(read: DetailsReader, files: RankedFile[], lexemes: string[], termWeights: number[], w: Weights): Promise<{ files: RankedFile[]; known: KnownDetails }> {
  const known: KnownDetails = new Map();
  if (w.proximity <= 0 || lexemes.length < 2) return { files, known };
  const head = files.slice(0, w.proximityFiles);
  const chunksOf = (f: RankedFile) => f.chunks.slice(0, w.proximityChunks);
  if (!head.some((f) => chunksOf(f).length > 0)) return { files, known };
  // fileDetails reads a file's best chunk and its second (proximityChunks is at most 2)
  const wanted = head.map((f) => {
    const [best, second] = chunksOf(f);
    return { ...splitFileKey(f.fileKey), startLine: best?.startLine ?? null, secondLine: second?.startLine ?? null };
  });
  const details = await read(wanted, true);
  const proximityOf = proximityScorer(lexemes, termWeights, w.proximityWindow);
  const rescored = head
    .map((f, i) => {
      const d = details[i]!;
      known.set(f.fileKey, { startLine: wanted[i]!.startLine, details: d });
      // a file that matched on its path, symbols or summary alone has no chunk of its own here (its content is its first chunk's)
      const texts = chunksOf(f).length > 0 ? [d.content, d.second] : [];
      const near = texts.reduce((m: number, t) => (t === null ? m : Math.max(m, proximityOf(t))), 0);
      return { ...f, score: f.score * (1 + w.proximity * near) };
    })
    .sort(byScore);
  return { files: [...rescored, ...files.slice(head.length)], known };
}

/**
 * Which chunk and which file field holds which term: from the postings in memory when they are current
 * (postings.ts), else from the GIN indexes alone (one parameterized bitmap scan per term), so no document
 * is recomputed; and where the page's details are read, the same way. Null signals when the question has
 * no searchable word.
 */
export async function fullTextSignals(src: SqlSource, q: string, filters: CodeFilters): Promise<{ signals: TextSignals | null; details: DetailsReader }> {
  const terms = searchWords(q).join(" ");
  if (!terms) return { signals: null, details: detailsFromDatabase(src) };
  const runner = src.database?.sql;
  if (runner?.listen) {
    const held = await signalsInMemory(runner, terms, filters);
    if (held) return held;
  }
  const [signals] = await selectPrepared<{ chunks: FileHitRow[]; fields: FieldRow[]; n: number; mean: number | null; lexemes: string[] | null }>(
    src,
    Prisma.sql`
    ${TERMS(terms)}
    SELECT
      (SELECT coalesce(json_agg(h), '[]'::json) FROM (
        SELECT c."repo_id", c."path", f."size", c."chunks" FROM (
          SELECT c."repo_id", c."path", json_agg(json_build_array(c."start_line", c."end_line", c."symbol", c.i)) AS "chunks"
          FROM u
          JOIN LATERAL (SELECT c."repo_id", c."path", c."start_line", c."end_line", c."symbol", u.i::int AS i FROM "code_chunk" c WHERE ${CHUNK_DOC} @@ u.t::tsquery${and(filtersOn("c", filters))}) c ON true
          GROUP BY c."repo_id", c."path") c
        JOIN LATERAL (SELECT f."size" FROM "repo_file" f WHERE f."repo_id" = c."repo_id" AND f."path" = c."path") f ON true) h) AS chunks,
      (SELECT coalesce(json_agg(m), '[]'::json) FROM (
        ${pathMatches(filters)}
        UNION ALL ${fieldMatches("sym", WORDS(Prisma.sql`"search_list_text"(f."symbols")`), filters)}
        UNION ALL ${fieldMatches("summary", WORDS(Prisma.sql`f."summary"`), filters)}) m) AS fields,
      count(*)::int AS n, avg(f."size")::float8 AS mean,
      (SELECT array_agg("lexeme" ORDER BY i) FROM u) AS lexemes
    FROM "repo_file" f WHERE true${and(filtersOn("f", filters))}`,
  );
  const { chunks, fields, n, mean, lexemes } = signals!;
  return { signals: signalsFrom(lexemes ?? [], chunks, fields, { files: n, meanSize: mean ?? 0 }), details: detailsFromDatabase(src) };
}

/** Ranking's signals from which chunks (grouped by file) and which file fields hold which of the question's lexemes. */
export function signalsFrom(lexemes: string[], chunks: FileHitRow[], fields: FieldRow[], corpus: Corpus): TextSignals | null {
  if (lexemes.length === 0) return null;
  const symbolHas = symbolMatcher(lexemes);
  const keyOf = fileKeys();
  const chunkSignals: ChunkSignals[] = [];
  const byLine = new Map<number, ChunkSignals>(); // a chunk is its file's start line; one map, emptied for each file
  for (const f of chunks) {
    const fileKey = keyOf(f.repo_id, f.path);
    const first = chunkSignals.length;
    for (let j = 0; j < f.chunks.length; j++) {
      const [startLine, endLine, symbol, i] = f.chunks[j]!;
      const chunk = lexemes.length > 1 ? byLine.get(startLine) : undefined; // one term: a row per chunk
      if (chunk) chunk.hits.push(i - 1);
      else {
        const c: ChunkSignals = { fileKey, startLine, endLine, symbol, hits: [i - 1], symHits: NO_TERMS, fileSize: f.size };
        if (lexemes.length > 1) byLine.set(startLine, c);
        chunkSignals.push(c);
      }
    }
    byLine.clear();
    for (let k = first; k < chunkSignals.length; k++) {
      const c = chunkSignals[k]!;
      if (c.hits.length > 1) sortAscending(c.hits); // in term order, so scores add up in the same order every time
      // The symbol is short: matched here rather than by recomputing its document for every candidate row.
      if (c.symbol) c.symHits = symbolHits(c.symbol, c.hits, symbolHas);
    }
  }
  const files = new Map<string, FileSignals>();
  // a path's words, and its file name's, split once for all its rows
  const wordsOf = memoized(pathWordsOf);
  const pathWords = new Set(fields.filter((r) => r.field === "pathWord").map((r) => `${keyOf(r.repo_id, r.path)}\u0000${r.i}`));
  for (const r of fields) {
    if (r.field === "pathWord") continue; // also a "path" row
    const key = keyOf(r.repo_id, r.path);
    const i = r.i - 1;
    if (r.field === "path" && !pathWords.has(`${key}\u0000${r.i}`) && !pathPrefixHolds(r.path, lexemes[i]!, wordsOf(r.path).path)) continue;
    const f = files.get(key) ?? files.set(key, { fileKey: key, path: [], base: [], sym: [], summary: [] }).get(key)!;
    f[r.field].push(i);
    if (r.field === "path" && nameHolds(lexemes[i]!, wordsOf(r.path))) f.base.push(i);
  }
  return { lexemes, chunks: chunkSignals, files: [...files.values()], corpus };
}

/** fileKeyOf, each file's key made once (a key made again is a new string, hashed again by every map it meets). */
function fileKeys(): (repoId: string, path: string) => string {
  const byRepo = new Map<string, Map<string, string>>();
  return (repoId, path) => {
    let keys = byRepo.get(repoId);
    if (!keys) byRepo.set(repoId, (keys = new Map()));
    let key = keys.get(path);
    if (key === undefined) keys.set(path, (key = fileKeyOf(repoId, path)));
    return key;
  };
}

/** A few numbers sorted in place (a chunk's terms: insertion sort, without a comparator's calls). */
function sortAscending(a: number[]): void {
  for (let k = 1; k < a.length; k++) {
    const x = a[k]!;
    let j = k - 1;
    for (; j >= 0 && a[j]! > x; j--) a[j + 1] = a[j]!;
    a[j + 1] = x;
  }
}

/** A one-argument function's answers kept for the call that made it. */
function memoized<T>(fn: (arg: string) => T): (arg: string) => T {
  const seen = new Map<string, T>();
  return (arg) => {
    let v = seen.get(arg);
    if (v === undefined) seen.set(arg, (v = fn(arg)));
    return v;
  };
}
