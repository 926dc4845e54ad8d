import { splitWords } from "./query";

/** Snippets for the dashboard: indexed code is untrusted text, so everything is HTML-escaped and only <mark> is ours. */
export const SNIPPET_LINES = 8;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const commonPrefix = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/** Does a word match a stemmed lexeme ("retries", "retry" ~ "retri")? */
export function wordMatches(word: string, lexeme: string): boolean {
  if (word.length < 2) return false;
  if (word === lexeme || word.startsWith(lexeme)) return true;
  return word.length >= 3 && commonPrefix(word, lexeme) >= Math.max(3, lexeme.length - 1);
}

const IDENTIFIER = /[\p{L}\p{N}_$]+/gu;
const identifierMatches = (identifier: string, lexemes: string[]) => splitWords(identifier).some((w) => lexemes.some((l) => wordMatches(w, l)));

/** One line, escaped, with matching identifiers in <mark>. */
export function highlightLine(line: string, lexemes: string[]): { html: string; hits: number } {
  let html = "";
  let last = 0;
  let hits = 0;
  for (const m of line.matchAll(IDENTIFIER)) {
    if (!identifierMatches(m[0], lexemes)) continue;
    html += `${escapeHtml(line.slice(last, m.index))}<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
    hits++;
  }
  return { html: html + escapeHtml(line.slice(last)), hits };
}

/** The window of `SNIPPET_LINES` lines of a chunk with the most matching lines, highlighted. */
export function snippetOf(content: string, firstLine: number, lexemes: string[]): { startLine: number; html: string } {
  const lines = content.split("\n");
  const marked = lines.map((l) => highlightLine(l.length > 400 ? `${l.slice(0, 400)}…` : l, lexemes));
  let best = 0;
  let bestHits = -1;
  for (let i = 0; i < Math.max(1, lines.length - SNIPPET_LINES + 1); i++) {
    const hits = marked.slice(i, i + SNIPPET_LINES).reduce((n, m) => n + (m.hits > 0 ? 1 : 0), 0);
    if (hits > bestHits) [best, bestHits] = [i, hits];
  }
  return {
    startLine: firstLine + best,
    html: marked
      .slice(best, best + SNIPPET_LINES)
      .map((m) => m.html)
      .join("\n"),
  };
}
