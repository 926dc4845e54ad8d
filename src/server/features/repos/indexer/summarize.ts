import { findDeclarations, supportsDeclarations } from "./declarations";
import { languageName } from "./language";

/**
 * The extractive file summary: what a reader learns from a file's head without a model — its
 * language, leading doc comment, what it exports and what it imports. Useful on its own for recall
 * and ranking, and the fallback when no model is configured.
 */
export interface FileSummary {
  summary: string;
  /** Exported symbols (all top-level ones where the language has no export marker). */
  symbols: string[];
}

const MAX_SUMMARY_CHARS = 1_200;
const MAX_SYMBOLS = 40;

function leadingDocComment(lines: string[]): string {
  let i = 0;
  while (i < lines.length && (!lines[i]!.trim() || lines[i]!.startsWith("#!") || /^["']use (strict|client|server)["'];?$/.test(lines[i]!.trim()))) i++;
  const first = lines[i]?.trim() ?? "";
  const text: string[] = [];
  if (first.startsWith("/*")) {
    for (; i < lines.length; i++) {
      const t = lines[i]!.trim();
      text.push(t.replace(/^\/\*\*?|\*\/$|^\*\s?/g, "").trim());
      if (t.endsWith("*/")) break;
    }
  } else if (first.startsWith("//") || (first.startsWith("#") && !first.startsWith("#!"))) {
    const mark = first.startsWith("//") ? "//" : "#";
    for (; i < lines.length && lines[i]!.trim().startsWith(mark); i++)
      text.push(
        lines[i]!.trim()
          .slice(mark.length)
          .replace(/^[/!]\s?/, "")
          .trim(),
      );
  } else if (/^("""|''')/.test(first)) {
    const q = first.slice(0, 3);
    text.push(first.slice(3));
    if (!first.slice(3).includes(q))
      for (i++; i < lines.length; i++) {
        text.push(lines[i]!.trim());
        if (lines[i]!.includes(q)) break;
      }
  }
  return text
    .join(" ")
    .replace(/("""|'''|\*\/)/g, "")
    .replace(/\s+/g, " ")
    .replace(/@\w+.*$/, "")
    .trim()
    .slice(0, 400);
}

function imports(text: string, language: string | null): string[] {
  const found = new Set<string>();
  const add = (re: RegExp) => {
    for (const m of text.matchAll(re)) if (found.size < 20) found.add(m[1]!);
  };
  if (language === "typescript" || language === "javascript") {
    add(/^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']/gm);
    add(/^\s*import\s+["']([^"']+)["']/gm);
    add(/\brequire\(\s*["']([^"']+)["']\s*\)/g);
  } else if (language === "python") {
    add(/^\s*from\s+([\w.]+)\s+import/gm);
    add(/^\s*import\s+([\w.]+)/gm);
  } else if (language === "go") {
    add(/^\s*(?:import\s+)?(?:\w+\s+)?"([\w./-]+)"\s*$/gm);
  } else if (language === "rust") {
    add(/^\s*use\s+([\w:]+)/gm);
  }
  return [...found];
}

function markdownSummary(lines: string[]): FileSummary {
  const headings = lines.filter((l) => /^#{1,3}\s/.test(l)).map((l) => l.replace(/^#+\s*/, "").trim());
  const para = lines.find((l) => l.trim() && !l.startsWith("#") && !l.startsWith("[") && !l.startsWith("<") && !l.startsWith("!"))?.trim() ?? "";
  const parts = [`Markdown document${headings[0] ? ` "${headings[0]}"` : ""}.`, para.slice(0, 300)];
  if (headings.length > 1) parts.push(`Sections: ${headings.slice(1, 16).join("; ")}.`);
  return { summary: parts.filter(Boolean).join(" ").slice(0, MAX_SUMMARY_CHARS), symbols: headings.slice(0, MAX_SYMBOLS) };
}

export function extractiveFileSummary(path: string, text: string, language: string | null): FileSummary {
  const lines = text.split("\n");
  if (language === "markdown") return markdownSummary(lines);
  const decls = findDeclarations(lines, language);
  const exported = decls.filter((d) => d.exported).map((d) => d.symbol);
  const symbols = [...new Set(exported.length ? exported : decls.map((d) => d.symbol))].slice(0, MAX_SYMBOLS);
  const others = [...new Set(decls.filter((d) => !d.exported).map((d) => d.symbol))].slice(0, 12);
  const doc = leadingDocComment(lines);
  const deps = imports(text, language);
  const name = path.slice(path.lastIndexOf("/") + 1);
  const parts = [`${languageName(language)} file ${name} (${lines.length} lines).`];
  if (doc) parts.push(doc.endsWith(".") ? doc : `${doc}.`);
  if (exported.length) parts.push(`Exports: ${symbols.join(", ")}.`);
  if (others.length && supportsDeclarations(language)) parts.push(`${exported.length ? "Also declares" : "Declares"}: ${others.join(", ")}.`);
  if (deps.length) parts.push(`Imports: ${deps.join(", ")}.`);
  if (!supportsDeclarations(language) && !doc) {
    const firstLines = lines
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 3)
      .join(" ");
    if (firstLines) parts.push(`Begins: ${firstLines.slice(0, 200)}`);
  }
  return { summary: parts.join(" ").slice(0, MAX_SUMMARY_CHARS), symbols };
}
