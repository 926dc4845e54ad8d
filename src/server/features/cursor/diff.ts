import { chunkText } from "@/server/features/repos/indexer/chunker";
import { findDeclarations } from "@/server/features/repos/indexer/declarations";
import { languageOf } from "@/server/features/repos/indexer/language";

/**
 * The symbols a unified diff touches, per file, found by the indexer's declaration chunker over each
 * hunk's new side: a changed line inside a declaration's chunk touches that declaration; one above the
 * first declaration of its hunk touches the declaration git names in the hunk header (`@@ … @@ function f(`),
 * which encloses it. A deleted file touches what it declared.
 */
interface Hunk {
  header: string;
  /** The new side's lines (context and added) — the old side's for a deleted file. */
  lines: string[];
  /** Indexes into `lines` that changed (a removal marks the line that now stands in its place). */
  changed: Set<number>;
}

interface FileDiff {
  path: string;
  deleted: boolean;
  hunks: Hunk[];
}

const HUNK = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$/;

function unquote(p: string): string {
  return p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1).replace(/\\(.)/g, "$1") : p;
}

export function parseDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | null = null;
  let hunk: Hunk | null = null;
  let oldPath = "";
  for (const line of diff.split("\n")) {
    if (line.startsWith("diff --git ")) {
      file = null;
      hunk = null;
      continue;
    }
    if (!hunk && line.startsWith("--- ")) {
      oldPath = unquote(line.slice(4)).replace(/^a\//, "");
      continue;
    }
    if (!hunk && line.startsWith("+++ ")) {
      const target = unquote(line.slice(4));
      const deleted = target === "/dev/null";
      file = { path: deleted ? oldPath : target.replace(/^b\//, ""), deleted, hunks: [] };
      files.push(file);
      continue;
    }
    const header = HUNK.exec(line);
    if (header && file) {
      hunk = { header: header[1] ?? "", lines: [], changed: new Set() };
      file.hunks.push(hunk);
      continue;
    }
    if (!hunk || !file) continue;
    const mark = line[0];
    const text = line.slice(1);
    if (mark === " ") hunk.lines.push(text);
    else if (mark === "+" || (mark === "-" && file.deleted)) {
      hunk.changed.add(hunk.lines.length);
      hunk.lines.push(text);
    } else if (mark === "-") hunk.changed.add(hunk.lines.length);
    else if (mark !== "\\") hunk = null; // the hunk ended (a new file's header follows)
  }
  return files;
}

function hunkSymbols(hunk: Hunk, language: string | null): string[] {
  const out = new Set<string>();
  const chunks = chunkText(hunk.lines.join("\n"), language);
  const enclosing = findDeclarations([hunk.header], language)[0]?.symbol ?? null;
  for (const index of hunk.changed) {
    const line = Math.min(index, Math.max(0, hunk.lines.length - 1)) + 1;
    const chunk = chunks.find((c) => c.startLine <= line && line <= c.endLine && c.symbol);
    const symbol = chunk?.symbol ?? (chunks.some((c) => c.symbol && c.startLine <= line) ? null : enclosing);
    if (symbol) out.add(symbol);
  }
  return [...out];
}

/** Path → the symbols its hunks touch (files of languages without declaration rules map to []). */
export function touchedSymbols(diff: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of parseDiff(diff)) {
    const language = languageOf(file.path);
    const symbols = new Set(out.get(file.path) ?? []);
    for (const hunk of file.hunks) for (const s of hunkSymbols(hunk, language)) symbols.add(s);
    out.set(file.path, [...symbols]);
  }
  return out;
}
