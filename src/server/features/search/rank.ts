/**
 * File-level ranking from which terms matched where (pure, so it is unit-tested and tuned by
 * bench/search-eval.mjs). Postgres's GIN indexes say which chunks and which file fields (path,
 * symbols, summary) hold each term; this weighs terms by rarity (BM25's IDF, over files) and
 * combines: the best chunk (terms found together), the body (how many chunks hold each term,
 * saturating), the path (basename counts extra), the symbols and the summary — scaled by how
 * much of the question the file covers.
 */

export interface ChunkSignals {
  fileKey: string;
  startLine: number;
  endLine: number;
  symbol: string | null;
  /** Indexes of the terms found in the chunk (text or symbol). */
  hits: number[];
  /** Indexes of the terms found in the chunk's symbol. */
  symHits: number[];
  /** The file's size in bytes (for length normalization). */
  fileSize: number;
}

export interface FileSignals {
  fileKey: string;
  /** Indexes of the terms found in the path, its basename, the file's symbols, its summary. */
  path: number[];
  base: number[];
  sym: number[];
  summary: number[];
}

export interface RankedChunk {
  startLine: number;
  endLine: number;
  symbol: string | null;
  score: number;
}

export type Signal = "fulltext" | "path" | "symbol" | "summary";

export interface RankedFile {
  fileKey: string;
  score: number;
  /** Its best chunks, best first (at most KEPT_CHUNKS). */
  chunks: RankedChunk[];
  /** Which fields matched at least one term. */
  signals: Signal[];
}

export const WEIGHTS = {
  bestChunk: 1,
  body: 0.6,
  path: 1.2,
  basename: 0.8,
  symbols: 0.9,
  summary: 0.4,
  coverage: 1.5,
  k1: 1.2,
  b: 0.5,
  chunkB: 0.15,
  secondary: 0.5,
  symHit: 1,
  /** Proximity: how much the nearest question words in a leading file's best chunks scale its score; over how many leading files, best chunks of each, words apart. */
  proximity: 1,
  proximityFiles: 30,
  proximityChunks: 2, // at most 2: fileDetails reads a file's best two chunks
  proximityWindow: 8,
};
export type Weights = typeof WEIGHTS;

/** BM25's IDF, over files. */
export const idf = (files: number, df: number) => Math.log(1 + (files - df + 0.5) / (df + 0.5));
/** How many chunks hold a term → 0..1, saturating and normalized by the file's length, as BM25 does with term frequency. */
const saturate = (n: number, relLength: number, w: Weights) => (n * (w.k1 + 1)) / (n + w.k1 * (1 - w.b + w.b * relLength)) / (w.k1 + 1);

export interface Corpus {
  files: number;
  /** Mean file size in bytes. */
  meanSize: number;
}

/**
 * Tests, examples, benchmarks and fixtures: they name what they exercise as often as its source does,
 * and a question is rarely after them unless it says so.
 */
const SECONDARY_PATH = /(^|\/)(tests?|__tests__|testdata|spec|specs|examples?|benches|benchmarks?|fixtures?|mocks?|__mocks__)\/|_test\.\w+$|\.(test|spec)\.\w+$|(^|\/)test_[^/]*\.py$/;
const ASKS_SECONDARY = /^(test|exampl|bench|fixtur|mock|spec)/;

export const isSecondaryPath = (path: string) => SECONDARY_PATH.test(path);
/** isSecondaryPath of a file's key (repo and path), each file tested once: every search ranks its files again. */
const secondaryFiles = new Map<string, boolean>();
function isSecondaryFile(fileKey: string): boolean {
  let secondary = secondaryFiles.get(fileKey);
  if (secondary === undefined) {
    if (secondaryFiles.size >= 200_000) secondaryFiles.clear(); // a bound, far above what an index holds in memory
    secondaryFiles.set(fileKey, (secondary = isSecondaryPath(fileKey.slice(fileKey.lastIndexOf("\u0000") + 1))));
  }
  return secondary;
}
export const asksForSecondary = (lexemes: string[]) => lexemes.some((l) => ASKS_SECONDARY.test(l));

/** No term: the list of a chunk's symbol or a file's field that holds none (shared, so frozen: writing to it throws). */
export const NO_TERMS = Object.freeze([]) as unknown as number[];
/** A file that only its chunks matched: no field holds a term. */
const NO_FIELDS: FileSignals = Object.freeze({ fileKey: "", path: NO_TERMS, base: NO_TERMS, sym: NO_TERMS, summary: NO_TERMS });

export function rankFiles(lexemes: string[], chunks: ChunkSignals[], files: FileSignals[], corpus: Corpus, w: Weights = WEIGHTS): RankedFile[] {
  return rankWithTermWeights(lexemes, chunks, files, corpus, w).files;
}

/** Ranked files, and each term's weight (its IDF over files) for what ranks them further. */
export function rankWithTermWeights(lexemes: string[], chunks: ChunkSignals[], files: FileSignals[], corpus: Corpus, w: Weights = WEIGHTS): { files: RankedFile[]; termWeights: number[] } {
  const termCount = lexemes.length;
  const demote = !asksForSecondary(lexemes);
  // per file: its chunks and fields (none: NO_FIELDS), then how many of its chunks hold each term and the terms its symbols hold (null: none)
  const byFile = new Map<string, { chunks: ChunkSignals[]; file: FileSignals; count: number[]; sym: number[] | null }>();
  const slot = (k: string) => byFile.get(k) ?? byFile.set(k, { chunks: [], file: NO_FIELDS, count: [], sym: null }).get(k)!;
  // a file's chunks mostly come one after another: its entry is looked up once for them
  let lastKey: string | null = null;
  let lastChunks: ChunkSignals[] = [];
  for (const c of chunks) {
    if (c.fileKey !== lastKey) lastChunks = slot((lastKey = c.fileKey)).chunks;
    lastChunks.push(c);
  }
  for (const f of files) slot(f.fileKey).file = f;

  const df = new Array<number>(termCount).fill(0);
  // which terms the file holds anywhere: marked with the file's number (a set per file cost more)
  const heldBy = new Array<number>(termCount).fill(-1);
  let fileNo = 0;
  for (const entry of byFile.values()) {
    const { chunks: cs, file } = entry;
    const count = new Array<number>(termCount).fill(0);
    let sym: Set<number> | null = file.sym.length > 0 ? new Set(file.sym) : null;
    for (const c of cs) {
      for (const i of c.hits) count[i]! += 1;
      for (const i of c.symHits) (sym ??= new Set()).add(i);
    }
    for (const i of file.path) heldBy[i] = fileNo;
    for (const i of file.summary) heldBy[i] = fileNo;
    if (sym) for (const i of sym) heldBy[i] = fileNo;
    for (let i = 0; i < termCount; i++) if (count[i]! > 0 || heldBy[i] === fileNo) df[i]! += 1;
    fileNo++;
    entry.count = count;
    entry.sym = sym && [...sym];
  }
  const n = Math.max(corpus.files, byFile.size);
  const weight = df.map((d) => idf(n, d));
  // Paths and symbols weigh a term by its rarity there: "path" is in every file's code but in few paths.
  const fieldWeight = (pick: (f: FileSignals) => number[]) => {
    const dfField = new Array<number>(termCount).fill(0);
    for (const { file } of byFile.values()) for (const i of pick(file)) dfField[i]! += 1;
    return dfField.map((d) => (d > 0 ? idf(n, d) : 0));
  };
  const pathWeight = fieldWeight((f) => f.path);
  const symWeight = fieldWeight((f) => f.sym);
  const symbolWeight = symWeight.map((x, i) => Math.max(x, weight[i]!));
  const total = weight.reduce((a, b) => a + b, 0) || 1;
  // A chunk's terms come in term order (signalsFrom sorts them), so its sum is the same in any chunk order.
  const sumOf = (terms: number[]) => {
    let s = 0;
    for (const i of terms) s += weight[i] ?? 0;
    return s;
  };
  // The weights of the distinct terms of a file's lists, added in term order: the same sum, to the last
  // bit, whatever order the database returned the file's chunks and fields in, so two copies of one file
  // score the same.
  const marks = new Array<number>(termCount).fill(0);
  let stamp = 0;
  const sumTerms = (by: number[], list: number[], also: number[] = NO_TERMS, andAlso: number[] = NO_TERMS) => {
    stamp++;
    for (let k = 0; k < list.length; k++) marks[list[k]!] = stamp;
    for (let k = 0; k < also.length; k++) marks[also[k]!] = stamp;
    for (let k = 0; k < andAlso.length; k++) marks[andAlso[k]!] = stamp;
    let s = 0;
    for (let i = 0; i < termCount; i++) if (marks[i] === stamp) s += by[i] ?? 0;
    return s;
  };

  const out: RankedFile[] = [];
  for (const [fileKey, { chunks: cs, file, count, sym }] of byFile) {
    const ranked = bestChunks(cs, (c) => sumOf(c.hits) + w.symHit * sumOf(c.symHits));
    const bestHits = ranked.length > 0 ? cs.find((c) => c.startLine === ranked[0]!.startLine)!.hits : []; // a chunk is its file's start line
    const rel = corpus.meanSize > 0 ? (cs[0]?.fileSize ?? corpus.meanSize) / corpus.meanSize : 1;
    const best = (ranked[0]?.score ?? 0) / (1 - w.chunkB + w.chunkB * rel);
    let body = 0;
    for (let i = 0; i < termCount; i++) body += weight[i]! * (count[i]! > 0 ? saturate(count[i]!, rel, w) : 0);
    // Coverage where the terms are found together (the best chunk) or name the file (path, symbols),
    // not anywhere in it: a long file mentions every word of a question somewhere.
    const covered = sumTerms(weight, bestHits, file.path, sym ?? NO_TERMS) / total;
    const fields =
      w.bestChunk * best +
      w.body * body +
      w.path * sumTerms(pathWeight, file.path) +
      w.basename * sumTerms(pathWeight, file.base) +
      w.symbols * sumTerms(symbolWeight, sym ?? NO_TERMS) +
      w.summary * sumTerms(weight, file.summary);
    const score = fields * covered ** w.coverage * (demote && isSecondaryFile(fileKey) ? w.secondary : 1);
    const signals: Signal[] = [];
    if (count.some((k) => k > 0)) signals.push("fulltext");
    if (file.path.length) signals.push("path");
    if (sym) signals.push("symbol");
    if (file.summary.length) signals.push("summary");
    out.push({ fileKey, score, chunks: ranked, signals });
  }
  return { files: out.sort(byScore), termWeights: weight };
}

/** How many of a file's chunks ranking keeps, best first: a result shows three line ranges, proximity reads two. */
export const KEPT_CHUNKS = 3;

/**
 * A file's best chunks, best first (score descending, then start line): the leading KEPT_CHUNKS of what
 * sorting them all would give, ties kept in their order, without sorting (or scoring into objects) the
 * hundreds of chunks a common word matches in one file.
 */
function bestChunks(cs: ChunkSignals[], scoreOf: (c: ChunkSignals) => number): RankedChunk[] {
  // the leaders so far, best first, and their scores: objects are made for the last leaders only
  const top: ChunkSignals[] = [];
  const scores: number[] = [];
  for (const c of cs) {
    const score = scoreOf(c);
    let at = top.length;
    while (at > 0 && (scores[at - 1]! < score || (scores[at - 1]! === score && top[at - 1]!.startLine > c.startLine))) at--;
    if (at >= KEPT_CHUNKS) continue;
    for (let k = Math.min(top.length, KEPT_CHUNKS - 1); k > at; k--) {
      top[k] = top[k - 1]!;
      scores[k] = scores[k - 1]!;
    }
    top[at] = c;
    scores[at] = score;
  }
  return top.map((c, k) => ({ startLine: c.startLine, endLine: c.endLine, symbol: c.symbol, score: scores[k]! }));
}

/** localeCompare's order (the default collation), with one collator made once rather than one per call. */
const collation = new Intl.Collator().compare;
export const byScore = (a: RankedFile, b: RankedFile) => b.score - a.score || collation(a.fileKey, b.fileKey);

/** Reciprocal rank fusion of ranked lists of keys (k = 60, as in Cormack et al.). */
export function reciprocalRankFusion(lists: string[][], k = 60): Map<string, number> {
  const scores = new Map<string, number>();
  for (const list of lists) list.forEach((key, rank) => scores.set(key, (scores.get(key) ?? 0) + 1 / (k + rank + 1)));
  return scores;
}
