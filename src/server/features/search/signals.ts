import { splitWords } from "./query";
import { NO_TERMS, type ChunkSignals, type Corpus, type FileSignals } from "./rank";
import { wordMatches } from "./snippet";

/**
 * What ranking reads for one question: which chunks and file fields hold which of its lexemes. Made from
 * the candidate statement's rows (fulltext.ts signalsFrom) or straight from the postings in memory
 * (postings-index.ts signalsOf), by the rules below, so both rank alike.
 */
export interface TextSignals {
  lexemes: string[];
  chunks: ChunkSignals[];
  files: FileSignals[];
  corpus: Corpus;
}

/** The terms among `hits` that the symbol holds, in their order. */
export function symbolHits(symbol: string, hits: number[], has: (symbol: string, term: number) => boolean): number[] {
  let out = NO_TERMS;
  for (const i of hits) if (has(symbol, i)) (out === NO_TERMS ? (out = []) : out).push(i);
  return out;
}

const ASCII = /^[\x00-\x7f]*$/;

/** A symbol lower-cased when it is ASCII (null: not), and its words once split. */
export type SymbolWords = { lower: string | null; words?: string[] };

/**
 * Whether a symbol holds a word matching term i, for the thousands of chunks a common word matches:
 * each symbol is split once, and only when it holds the term's first letters, which every matching
 * word starts with (wordMatches), as ASCII lower-cases letter by letter. `seen` keeps each symbol's
 * words: for this search alone, or for as long as the postings they come from (they depend on the
 * symbol alone).
 */
export function symbolMatcher(lexemes: string[], seen = new Map<string, SymbolWords>()): (symbol: string, term: number) => boolean {
  const prefixes = lexemes.map((l) => l.slice(0, Math.min(l.length, Math.max(3, l.length - 1))));
  return (symbol, term) => {
    let s = seen.get(symbol);
    if (!s) seen.set(symbol, (s = { lower: ASCII.test(symbol) ? symbol.toLowerCase() : null }));
    if (s.lower !== null && !s.lower.includes(prefixes[term]!)) return false;
    s.words ??= splitWords(symbol);
    const lexeme = lexemes[term]!;
    return s.words.some((w) => wordMatches(w, lexeme));
  };
}

/** A path's words, and its file name's (without the extension): what the path field's rules read (pathPrefixHolds, nameHolds). */
export interface PathWords {
  path: string[];
  name: string[];
}
export const pathWordsOf = (path: string): PathWords => ({
  path: splitWords(path),
  name: splitWords(path.slice(path.lastIndexOf("/") + 1).replace(/\.[^.]+$/, "")),
});

/** Whether the file name itself, not a folder, holds the lexeme. */
export const nameHolds = (lexeme: string, words: PathWords) => words.name.some((w) => wordMatches(w, lexeme));
