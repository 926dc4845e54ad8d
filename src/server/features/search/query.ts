/**
 * Turning a developer's question into search terms. Identifiers are split the way the index splits
 * them (migration 20261127007000_search: camelCase, ACRONYMCase, snake_case, paths), and the words that
 * every question carries but no code answers ("where is … handled?") are dropped before Postgres stems
 * the rest with its 'english' configuration.
 */

/** Question filler: words that describe the asking, not the code. English stop words are Postgres's job. */
const QUESTION_WORDS = new Set([
  "where", "how", "what", "which", "who", "why", "when", "does", "do", "did", "is", "are", "can", "could", "should",
  "handled", "handle", "handles", "handling", "implemented", "implement", "implements", "implementation",
  "defined", "define", "defines", "definition", "located", "live", "lives", "happen", "happens", "done",
  "code", "logic", "find", "file", "files", "place", "part", "thing", "things", "somewhere", "get", "gets",
  "used", "use", "uses", "work", "works", "way", "ways", "responsible", "deal", "deals", "dealing",
]);

/** Splits identifiers and punctuation into lower-case words, the same way the index does. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, "$1 $2")
    .split(/[^\p{L}\p{N}]+/u)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 0);
}

/** The words of a question worth searching for (filler dropped; all of them if nothing else is left). */
export function searchWords(q: string): string[] {
  const words = splitWords(q);
  const kept = words.filter((w) => !QUESTION_WORDS.has(w));
  return [...new Set(kept.length > 0 ? kept : words)].slice(0, 24);
}

/** A lexeme as a tsquery literal ('retri'), quotes doubled. */
export const tsLiteral = (lexeme: string) => `'${lexeme.replace(/'/g, "''")}'`;

/** Shell-style glob over repo paths → anchored regex. No wildcard = a folder or file prefix; no slash = any folder. */
export function globToRegex(glob: string): string {
  const g = glob.trim().replace(/^\.?\/+/, "");
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
