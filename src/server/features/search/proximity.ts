/**
 * Proximity of a question's words in a file's best chunks: a doc comment that reads "Parse incomplete
 * JSON" answers "parse incomplete JSON while …" better than a chunk holding the same words forty lines
 * apart. The index keeps which words a chunk holds, not where, so this reads the text of the leading
 * files' best chunks (pure, so it is unit-tested); the ranking scales their scores by it.
 */
import { scanWords } from "./query";
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
  const total = weight.reduce((a, b) => a + b, 0);
  if (lexemes.length < 2 || total <= 0) return () => 0;
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
  return (content) => {
    const terms: number[] = [];
    scanWords(content, (start, end, word) => {
      if (word !== undefined) return void terms.push(termOf(word));
      const c = content.charCodeAt(start);
      terms.push(firsts.has(c >= 65 && c <= 90 ? c + 32 : c) ? termOf(content.slice(start, end)) : -1);
    });
    const inWindow = new Array<number>(lexemes.length).fill(0);
    let distinct = 0;
    let sum = 0;
    let best = 0;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      if (t >= 0 && inWindow[t]!++ === 0) {
        distinct++;
        sum += weight[t]!;
      }
      const out = i >= window ? terms[i - window]! : -1;
      if (out >= 0 && --inWindow[out]! === 0) {
        distinct--;
        sum -= weight[out]!;
      }
      if (distinct >= 2 && sum > best) best = sum;
    }
    return best / total;
  };
}
