/**
 * Proximity of a question's words in a file's best chunks: a doc comment that reads "Parse incomplete
 * JSON" answers "parse incomplete JSON while …" better than a chunk holding the same words forty lines
 * apart. The index keeps which words a chunk holds, not where, so this reads the text of the leading
 * files' best chunks (pure, so it is unit-tested); the ranking scales their scores by it.
 */
import { ASCII_CLASS, LOWER, scanWords, UPPER } from "./query";
import { wordMatches } from "./snippet";

/**
 * The largest weight of distinct question terms found within `window` consecutive words of the text,
 * as a fraction of the question's total weight (each term weighs its IDF); 0 unless at least two
 * terms are that near each other.
 */
export function proximityOf(content: string, lexemes: string[], weight: number[], window = 8): number {
  return proximityScorer(lexemes, weight, window)(content);
}

/** proximityOf for many texts and one question: each distinct word is matched against the terms once. */
export function proximityScorer(lexemes: string[], weight: number[], window = 8): (content: string) => number {
  const near = nearestTerms(lexemes, weight, window);
  if (!near) return () => 0;
  return (content) => (hasOtherWordChars(content) ? near.inAny(content) : near.inAscii(content));
}

const NON_ASCII = /[^\x00-\x7f]+/g;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/**
 * Whether a text has letters or digits beyond ASCII (dashes, arrows and the like only separate words).
 * Only its runs of other characters are tested: a Unicode class tried at every position cost more than
 * the proximity itself.
 */
function hasOtherWordChars(text: string): boolean {
  NON_ASCII.lastIndex = 0;
  for (let m = NON_ASCII.exec(text); m !== null; m = NON_ASCII.exec(text)) if (WORD_CHAR.test(m[0])) return true;
  return false;
}

/** The class of the code unit at i as scanWords splits words, in a text whose letters and digits are all ASCII (any other unit separates). */
const classAt = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c < 128 ? ASCII_CLASS[c]! : 0;
};

/** Whether a word of scanWords begins at i of such a text: a run's start, or where it splits an identifier. */
function wordStartsAt(text: string, i: number): boolean {
  const c = classAt(text, i);
  if (c === 0) return false;
  const before = i > 0 ? classAt(text, i - 1) : 0;
  return before === 0 || (c === UPPER && (before !== UPPER || (i + 1 < text.length && classAt(text, i + 1) === LOWER)));
}

/** Where the word that begins at i ends. */
function wordEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && classAt(text, j) !== 0 && !wordStartsAt(text, j)) j++;
  return j;
}

/** How many words on from the word at `from` the word at `to` is (to > from, both word starts), counted up to `most`. */
function wordsApart(text: string, from: number, to: number, most: number): number {
  let n = 0;
  for (let i = from + 1; i <= to; i++) if (wordStartsAt(text, i) && ++n >= most) return most;
  return n;
}

/**
 * The proximity of one question's terms in a text, read two ways that give the same figure: every word
 * in order (any text), or only the words that begin like a term, with how many words apart they stand
 * (ASCII text). Both move the same window over the same words and add and take away the same weights in
 * the same order, so the sums agree to the last bit, not only to rounding.
 */
export function nearestTerms(lexemes: string[], weight: number[], window: number) {
  const total = weight.reduce((a, b) => a + b, 0);
  if (lexemes.length < 2 || total <= 0) return null;
  // keyed by the word as written: its lower-case form, and so its term, follows from it
  const seen = new Map<string, number>();
  const termOf = (word: string) => {
    let t = seen.get(word);
    if (t === undefined) {
      const lower = word.toLowerCase();
      seen.set(word, (t = lexemes.findIndex((l) => wordMatches(lower, l))));
    }
    return t;
  };
  // A word matches a lexeme only if it starts with the lexeme's first letter (wordMatches): an ASCII word
  // starting with none of them is no term, known without taking it out of the text.
  const firsts = new Set(lexemes.map((l) => l.charCodeAt(0)));
  // Every word matching a term begins with that term's first letters (wordMatches): in ASCII text, where
  // the regex engine finds those (any case), only the words there and the few between them are read.
  const prefixes = new Set(lexemes.map((l) => l.slice(0, Math.min(l.length, Math.max(3, l.length - 1)))));
  const termStarts = new RegExp([...prefixes].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");

  /** The best weight of distinct terms within the window, over the terms at word positions `at` (ascending). */
  const best = (terms: number[], at: number[]) => {
    const inWindow = new Array<number>(lexemes.length).fill(0);
    let distinct = 0;
    let sum = 0;
    let top = 0;
    let oldest = 0;
    const leave = () => {
      const out = terms[oldest++]!;
      if (--inWindow[out]! === 0) {
        distinct--;
        sum -= weight[out]!;
      }
    };
    for (let k = 0; k < terms.length; k++) {
      // as a scan word by word does: a term leaves the window at the word `window` after it, after that word's own term came in
      while (oldest < k && at[oldest]! + window < at[k]!) leave();
      const t = terms[k]!;
      if (inWindow[t]!++ === 0) {
        distinct++;
        sum += weight[t]!;
      }
      if (oldest < k && at[oldest]! + window === at[k]!) leave();
      if (distinct >= 2 && sum > top) top = sum;
    }
    return top / total;
  };

  return {
    inAny(content: string): number {
      const terms: number[] = [];
      const at: number[] = [];
      let n = 0;
      scanWords(content, (start, end, word) => {
        let t: number;
        if (word !== undefined) t = termOf(word);
        else {
          const c = content.charCodeAt(start);
          t = firsts.has(c >= 65 && c <= 90 ? c + 32 : c) ? termOf(content.slice(start, end)) : -1;
        }
        if (t >= 0) {
          terms.push(t);
          at.push(n);
        }
        n++;
      });
      return best(terms, at);
    },
    /** For a text whose letters and digits are all ASCII. */
    inAscii(content: string): number {
      const terms: number[] = [];
      const at: number[] = [];
      let last = -1;
      termStarts.lastIndex = 0;
      for (let m = termStarts.exec(content); m !== null; m = termStarts.exec(content)) {
        const i = m.index;
        termStarts.lastIndex = i + 1; // one prefix may begin inside another's match
        if (!wordStartsAt(content, i)) continue;
        const t = termOf(content.slice(i, wordEnd(content, i)));
        if (t < 0) continue;
        // only how far apart words are matters, and only up to the window: further is as good as window + 1
        at.push(at.length === 0 ? 0 : at[at.length - 1]! + wordsApart(content, last, i, window + 1));
        terms.push(t);
        last = i;
      }
      return best(terms, at);
    },
  };
}
