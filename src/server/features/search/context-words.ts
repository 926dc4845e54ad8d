import { wordMatches } from "./snippet";

/** What a character is to the words of a text: not part of one, a capital, lower-case or a digit, or another letter or number. */
const enum Kind {
  Other,
  Upper,
  LowerOrDigit,
  LetterOrNumber,
}

const kindOf = (c: number): Kind => {
  if (c < 128) return c >= 65 && c <= 90 ? Kind.Upper : (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ? Kind.LowerOrDigit : Kind.Other;
  const ch = String.fromCodePoint(c);
  if (/\p{Lu}/u.test(ch)) return Kind.Upper;
  if (/[\p{Ll}\p{Nd}]/u.test(ch)) return Kind.LowerOrDigit;
  return /[\p{L}\p{N}]/u.test(ch) ? Kind.LetterOrNumber : Kind.Other;
};

/**
 * The words of a text as the unified search reads a context entry: runs of letters and numbers, split
 * where a capital follows a lower-case letter or a digit (camelCase), each lower-cased. One pass over
 * the characters, a regex only for those outside ASCII: splitting by Unicode regexes and lower-casing
 * each piece cost some 70 µs on a paragraph, most of a search through a thousand entries.
 */
export function textWords(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  let afterLowerOrDigit = false;
  for (let i = 0; i < text.length;) {
    const c = text.codePointAt(i)!;
    const kind = kindOf(c);
    if (kind === Kind.Other) {
      if (start >= 0) out.push(text.slice(start, i).toLowerCase());
      start = -1;
    } else if (start < 0) start = i;
    else if (kind === Kind.Upper && afterLowerOrDigit) {
      out.push(text.slice(start, i).toLowerCase());
      start = i;
    }
    afterLowerOrDigit = kind === Kind.LowerOrDigit;
    i += c > 0xffff ? 2 : 1;
  }
  if (start >= 0) out.push(text.slice(start).toLowerCase());
  return out;
}

/**
 * Text lower-cased with both lower-case sigmas as one: lower-casing a whole text differs from lower-casing
 * its words apart only in Σ, whose lower case (σ, or ς at the end of a word) depends on what follows it.
 */
const folded = (text: string) => text.toLowerCase().replaceAll("ς", "σ");

/**
 * How many of the (lower-case) search words a text holds, each matched against the text's words by
 * wordMatches. A word it matches starts with the search word or, for one of four letters or more, with
 * all of it but its last: a text holding none of those anywhere is passed over without being split, as
 * most entries are.
 */
export function wordsMatcher(words: string[]): (text: string) => number {
  const needles = words.map((w) => folded(w.length >= 4 ? w.slice(0, -1) : w));
  return (text) => {
    const lower = folded(text);
    if (!needles.some((n) => lower.includes(n))) return 0;
    const have = textWords(text);
    return words.filter((w) => have.some((h) => wordMatches(h, w))).length;
  };
}
