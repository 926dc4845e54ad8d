import { declarationEnd, findDeclarations, findMembers, leadingStart } from "./declarations";

/**
 * Cuts a file into chunks that keep its path and line range: one per top-level declaration where the
 * language allows (with its doc comment; a long one is cut in windows that keep its symbol), line
 * windows with overlap otherwise, and for the text around declarations (imports, loose statements).
 * A long class, impl or trait is cut at its members, each chunk named `Type.member`, so the chunk that
 * defines a method carries its name.
 */
export interface Chunk {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  kind: "declaration" | "window";
  symbol: string | null;
  content: string;
}

export const WINDOW_LINES = 60;
export const WINDOW_OVERLAP = 10;
export const MAX_CHUNK_CHARS = 6_000;
/** A declaration longer than this is cut in windows (still carrying its symbol). */
export const MAX_DECLARATION_LINES = 150;

/** Windows over lines [from, to) (0-based), WINDOW_LINES long or MAX_CHUNK_CHARS wide, overlapping. */
function windows(lines: string[], from: number, to: number, kind: Chunk["kind"], symbol: string | null): Chunk[] {
  const out: Chunk[] = [];
  let start = from;
  while (start < to) {
    let end = start;
    let chars = 0;
    while (end < to && end - start < WINDOW_LINES && (chars === 0 || chars + lines[end]!.length + 1 <= MAX_CHUNK_CHARS)) {
      chars += lines[end]!.length + 1;
      end++;
    }
    const content = lines.slice(start, end).join("\n").slice(0, MAX_CHUNK_CHARS);
    if (content.trim()) out.push({ startLine: start + 1, endLine: end, kind, symbol, content });
    if (end >= to) break;
    start = Math.max(start + 1, end - WINDOW_OVERLAP);
  }
  return out;
}

function trimBlankEnd(lines: string[], from: number, to: number): number {
  while (to > from && !lines[to - 1]!.trim()) to--;
  return to;
}

/** A long declaration: its head and each member as chunks (windows where still too long), or windows when it has no members. */
function longDeclaration(lines: string[], from: number, to: number, line: number, symbol: string, language: string | null): Chunk[] {
  const members = findMembers(lines, language, line, to);
  if (members.length === 0) return windows(lines, from, to, "declaration", symbol);
  const starts = members.map((m, i) => leadingStart(lines, m.line, i === 0 ? line + 1 : members[i - 1]!.line + 1));
  const parts = [{ from, symbol }, ...members.map((m, i) => ({ from: starts[i]!, symbol: `${symbol}.${m.symbol}` }))];
  return parts.flatMap((p, i) => {
    const end = trimBlankEnd(lines, p.from, i + 1 < parts.length ? parts[i + 1]!.from : to);
    if (end <= p.from) return [];
    const content = lines.slice(p.from, end).join("\n");
    if (end - p.from > MAX_DECLARATION_LINES || content.length > MAX_CHUNK_CHARS) return windows(lines, p.from, end, "declaration", p.symbol);
    return content.trim() ? [{ startLine: p.from + 1, endLine: end, kind: "declaration" as const, symbol: p.symbol, content }] : [];
  });
}

export function chunkText(text: string, language: string | null): Chunk[] {
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const decls = findDeclarations(lines, language);
  if (decls.length === 0) return windows(lines, 0, lines.length, "window", null);

  const starts = decls.map((d, i) => leadingStart(lines, d.line, i === 0 ? 0 : decls[i - 1]!.line + 1));
  const out: Chunk[] = [];
  if (starts[0]! > 0) out.push(...windows(lines, 0, trimBlankEnd(lines, 0, starts[0]!), "window", null));
  for (let i = 0; i < decls.length; i++) {
    const from = starts[i]!;
    const next = i + 1 < decls.length ? starts[i + 1]! : lines.length;
    const end = declarationEnd(lines, decls[i]!.line, next, language);
    const to = trimBlankEnd(lines, from, end);
    if (to > from) {
      const content = lines.slice(from, to).join("\n");
      if (to - from > MAX_DECLARATION_LINES || content.length > MAX_CHUNK_CHARS) out.push(...longDeclaration(lines, from, to, decls[i]!.line, decls[i]!.symbol, language));
      else out.push({ startLine: from + 1, endLine: to, kind: "declaration", symbol: decls[i]!.symbol, content });
    }
    // what follows the declaration's body up to the next one (module-level statements, tables)
    let restFrom = end;
    while (restFrom < next && !lines[restFrom]!.trim()) restFrom++;
    const restTo = trimBlankEnd(lines, restFrom, next);
    if (restTo > restFrom) out.push(...windows(lines, restFrom, restTo, "window", null));
  }
  return out;
}
