/**
 * Turning a developer's question into search terms. Identifiers are split the way the index splits
 * them (migration 20261127007000_search: camelCase, ACRONYMCase, snake_case, paths), and the words that
 * every question carries but no code answers ("where is … handled?") are dropped before Postgres stems
 * the rest with its 'english' configuration.
 */

/** Question filler: words that describe the asking, not the code. English stop words are Postgres's job. */
const QUESTION_WORDS = new Set([
  "where",
  "how",
  "what",
  "which",
  "who",
  "why",
  "when",
  "does",
  "do",
  "did",
  "is",
  "are",
  "can",
  "could",
  "should",
  "handled",
  "handle",
  "handles",
  "handling",
  "implemented",
  "implement",
  "implements",
  "implementation",
  "defined",
  "define",
  "defines",
  "definition",
  "located",
  "live",
  "lives",
  "happen",
  "happens",
  "done",
  "code",
  "logic",
  "find",
  "file",
  "files",
  "place",
  "part",
  "thing",
  "things",
  "somewhere",
  "get",
  "gets",
  "used",
  "use",
  "uses",
  "work",
  "works",
  "way",
  "ways",
  "responsible",
  "deal",
  "deals",
  "dealing",
]);

/**
 * The SQL function search_split_words (migration 20261127007000_search) in TypeScript: questions are
 * split here, and the indexer splits chunks here (distinctWords), where it costs far less than in
 * Postgres's regex engine. The same string on ASCII; beyond it, Unicode's letter and digit classes
 * here, the database's locale there (they agree on common letters: é, ß, 中; not on all: ², ǅ).
 */
export function splitIdentifiers(text: string): string {
  return text
    .replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, "$1 $2")
    .replace(/[^\p{L}\p{N}]+/gu, " ");
}

export const LOWER = 1;
export const UPPER = 2;
const DIGIT = 3;
/** ASCII letters and digits by class (0: a separator). */
export const ASCII_CLASS = new Uint8Array(128).map((_, c) => (c >= 97 && c <= 122 ? LOWER : c >= 65 && c <= 90 ? UPPER : c >= 48 && c <= 57 ? DIGIT : 0));
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
/** Whether the character at i (a code unit ≥ 128) is a letter or digit, and its length in code units. */
const otherChar = (text: string, i: number) => {
  const cp = text.codePointAt(i)!;
  return { word: WORD_CHAR.test(String.fromCodePoint(cp)), length: cp > 0xffff ? 2 : 1 };
};

/**
 * Each word of splitIdentifiers(text), in order, to `emit`: an ASCII word as its place in the text
 * (`text.slice(start, end)`, left to the caller, who may not need it), any other word as its text.
 * One scan instead of three regex passes: an ASCII run of letters and digits splits by the same two
 * rules (before an upper-case letter that follows a lower-case letter or a digit; before the last of
 * several upper-case letters followed by a lower-case one); a run with other characters goes through
 * splitIdentifiers itself.
 */
export function scanWords(text: string, emit: (start: number, end: number, word?: string) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 ? ASCII_CLASS[c] === 0 : !otherChar(text, i).word) {
      i += c < 128 ? 1 : otherChar(text, i).length;
      continue;
    }
    const start = i;
    let ascii = true;
    for (; i < n; i++) {
      const d = text.charCodeAt(i);
      if (d < 128) {
        if (ASCII_CLASS[d] === 0) break;
        continue;
      }
      const other = otherChar(text, i);
      if (!other.word) break;
      ascii = false;
      i += other.length - 1;
    }
    if (!ascii) {
      for (const word of splitIdentifiers(text.slice(start, i)).split(" ")) emit(start, i, word);
      continue;
    }
    let from = start;
    for (let j = start + 1; j < i; j++) {
      if (ASCII_CLASS[text.charCodeAt(j)] !== UPPER) continue;
      if (ASCII_CLASS[text.charCodeAt(j - 1)] !== UPPER || (j + 1 < i && ASCII_CLASS[text.charCodeAt(j + 1)] === LOWER)) {
        emit(from, j);
        from = j;
      }
    }
    emit(from, i);
  }
}

/**
 * The distinct words of splitIdentifiers(text), in order of first appearance: what a chunk's document
 * needs, since ranking reads which words a chunk holds, not where (on source code, ~40% of the text
 * to send and to stem, for the same lexemes).
 */
export function distinctWords(text: string): string {
  const words = new Set<string>();
  scanWords(text, (start, end, word) => words.add(word ?? text.slice(start, end)));
  return [...words].join(" ");
}

/** Splits identifiers and punctuation into lower-case words, the same way the index does (each spelling once, in order). */
export function splitWords(text: string): string[] {
  const words = distinctWords(text);
  return words ? words.toLowerCase().split(" ") : [];
}

/** The words of a question worth searching for (filler dropped; all of them if nothing else is left). */
export function searchWords(q: string): string[] {
  const words = splitWords(q);
  const kept = words.filter((w) => !QUESTION_WORDS.has(w));
  return [...new Set(kept.length > 0 ? kept : words)].slice(0, 24);
}

/** How many letters a path word may add to a question word's stem and still name it (parse → parser). */
const NAME_SUFFIX = 3;

/** Whether a word of the path begins with the stem and adds at most NAME_SUFFIX letters ("pars" → parser.ts, not "run" → runtime.ts). */
export const pathPrefixHolds = (path: string, lexeme: string, words: string[] = splitWords(path)) => words.some((w) => w.startsWith(lexeme) && w.length - lexeme.length <= NAME_SUFFIX);

/** A lexeme as a tsquery literal ('retri'), quotes doubled. */
export const tsLiteral = (lexeme: string) => `'${lexeme.replace(/'/g, "''")}'`;

/** A glob with its leading ./ and / removed, as both matchers read it. */
const normalizeGlob = (glob: string) => glob.trim().replace(/^\.?\/+/, "");

/**
 * Shell-style glob over repo paths → anchored regex, for Postgres (`path ~ …`, whose engine does not
 * backtrack). No wildcard = a folder or file prefix; no slash = any folder. In JavaScript use
 * `globMatcher`: V8's regexes backtrack, and `**` × 149 then a miss takes longer than the universe.
 */
export function globToRegex(glob: string): string {
  const g = normalizeGlob(glob);
  const esc = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  if (!/[*?]/.test(g)) return `^${esc(g.replace(/\/+$/, ""))}(/.*)?$`;
  let re = "";
  for (let i = 0; i < g.length; i++) {
    const ch = g[i]!;
    if (ch === "*" && g[i + 1] === "*") {
      re += g[i + 2] === "/" ? "(.*/)?" : ".*";
      i += g[i + 2] === "/" ? 2 : 1;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += esc(ch);
  }
  return g.includes("/") ? `^${re}$` : `(^|/)${re}$`;
}

type GlobToken = { kind: "char"; ch: string } | { kind: "one" } | { kind: "star" } | { kind: "any" } | { kind: "folders" };

function globTokens(g: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < g.length; i++) {
    const ch = g[i]!;
    if (ch === "*" && g[i + 1] === "*") {
      tokens.push({ kind: g[i + 2] === "/" ? "folders" : "any" });
      i += g[i + 2] === "/" ? 2 : 1;
    } else if (ch === "*") tokens.push({ kind: "star" });
    else if (ch === "?") tokens.push({ kind: "one" });
    else tokens.push({ kind: "char", ch });
  }
  return tokens;
}

/**
 * The same language as `globToRegex`, matched in O(path × glob) by following every state of the
 * pattern at once (no backtracking). States: waiting at token i, or inside the any-folders part of a
 * "**" + "/" token at i (inner(i)), which ends at a slash.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  const g = normalizeGlob(glob);
  if (!/[*?]/.test(g)) {
    const prefix = g.replace(/\/+$/, "");
    return (path) => path === prefix || path.startsWith(`${prefix}/`);
  }
  // no slash: in any folder, as if it began with **/
  const tokens: GlobToken[] = [...(g.includes("/") ? [] : [{ kind: "folders" } as const]), ...globTokens(g)];
  const m = tokens.length;
  const inner = (i: number) => m + 1 + i;
  const close = (states: Set<number>) => {
    for (const s of states) {
      const t = s <= m ? tokens[s] : undefined;
      if (t && (t.kind === "star" || t.kind === "any" || t.kind === "folders")) states.add(s + 1); // each may match nothing
    }
    return states;
  };
  return (path) => {
    let states = close(new Set([0]));
    for (let k = 0; k < path.length; k++) {
      const c = path[k]!; // UTF-16 units, as the regex reads them
      const next = new Set<number>();
      for (const s of states) {
        if (s > m) {
          next.add(s); // inside the .* of a **/: any character stays
          if (c === "/") next.add(s - m - 1 + 1);
          continue;
        }
        const t = tokens[s];
        if (!t) continue;
        if (t.kind === "char" ? t.ch === c : t.kind === "one" ? c !== "/" : false) next.add(s + 1);
        else if (t.kind === "star" && c !== "/") next.add(s);
        else if (t.kind === "any") next.add(s);
        if (t.kind === "folders") {
          next.add(inner(s));
          if (c === "/") next.add(s + 1);
        }
      }
      states = close(next);
      if (states.size === 0) return false;
    }
    return states.has(m);
  };
}
