/**
 * Top-level declarations found by their shape at the start of a line (column 0) — how formatted
 * TS/JS, Python, Go and Rust lay out what a module declares. No parser: fast, never fails on
 * syntax it does not know, and good enough to cut chunks at declaration boundaries.
 */
export interface Declaration {
  /** 0-based line of the declaration keyword. */
  line: number;
  symbol: string;
  exported: boolean;
}

type Rule = { re: RegExp; exported: (m: RegExpExecArray) => boolean };

const JS: Rule[] = [
  {
    re: /^(export\s+(?:default\s+)?)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\s*\*?|class|interface|type|enum|const\s+enum|const|let|var|namespace|module)\s+([A-Za-z_$][\w$]*)/,
    exported: (m) => Boolean(m[1]),
  },
  { re: /^export\s+default\s+(?:async\s+)?(?:function|class)?\s*(\()?()/, exported: () => true },
  { re: /^(module\.exports|exports)\.([A-Za-z_$][\w$]*)\s*=/, exported: () => true },
];
const PYTHON: Rule[] = [{ re: /^()(?:async\s+def|def|class)\s+([A-Za-z_]\w*)/, exported: (m) => !m[2]!.startsWith("_") }];
const GO: Rule[] = [
  { re: /^()func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/, exported: (m) => /^[A-Z]/.test(m[2]!) },
  { re: /^()(?:type|var|const)\s+([A-Za-z_]\w*)/, exported: (m) => /^[A-Z]/.test(m[2]!) },
];
const RUST: Rule[] = [
  { re: /^(pub(?:\([\w:]+\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|mod|type|const|static|union)\s+([A-Za-z_]\w*)/, exported: (m) => Boolean(m[1]) },
  { re: /^()impl(?:<[^>]*>)?\s+(?:[\w:<>, ]+\s+for\s+)?([A-Za-z_]\w*)/, exported: () => false },
];

const RULES: Record<string, Rule[]> = { typescript: JS, javascript: JS, python: PYTHON, go: GO, rust: RUST };

/**
 * Members declared inside a class, impl or trait body (indented): methods, whose names say what the
 * code defines as much as a top-level name does. A TS/JS member's line ends with its opening brace (or
 * an open parameter list), which tells a method from a call.
 */
const MEMBERS: Record<string, RegExp> = {
  python: /^\s+(?:async\s+)?def\s+([A-Za-z_]\w*)/,
  rust: /^\s+(?:pub(?:\([\w:]+\))?\s+)?(?:default\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+"[^"]*"\s+)?fn\s+([A-Za-z_]\w*)/,
  typescript: /^\s+(?:(?:public|private|protected|static|async|readonly|override|abstract|get|set)\s+)*\*?#?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\((?:.*\)\s*(?::[^;{]*)?\{\s*|[^)]*)$/,
};
MEMBERS.javascript = MEMBERS.typescript!;
const NOT_MEMBERS = new Set(["if", "for", "while", "switch", "catch", "function", "return", "with", "elif", "super"]);

/** A declaration line that opens a body of members: a class, an impl block, a trait. */
const MEMBER_HOST = /\b(class|impl|trait)\b/;

/**
 * Members of the class, impl or trait declared on line `line`, on lines (line, to), at the shallowest
 * indentation any of them has (nested functions are not members). None for any other declaration.
 */
export function findMembers(lines: string[], language: string | null, line: number, to: number): Omit<Declaration, "exported">[] {
  const re = language ? MEMBERS[language] : undefined;
  if (!re || !MEMBER_HOST.test(lines[line]!)) return [];
  const from = line + 1;
  const found: (Omit<Declaration, "exported"> & { indent: number })[] = [];
  for (let i = from; i < to; i++) {
    const m = re.exec(lines[i]!);
    if (m && !NOT_MEMBERS.has(m[1]!)) found.push({ line: i, symbol: m[1]!, indent: lines[i]!.search(/\S/) });
  }
  const indent = Math.min(...found.map((f) => f.indent));
  return found.filter((f) => f.indent === indent).map(({ line, symbol }) => ({ line, symbol }));
}

export function supportsDeclarations(language: string | null): boolean {
  return language !== null && language in RULES;
}

export function findDeclarations(lines: string[], language: string | null): Declaration[] {
  const rules = language ? RULES[language] : undefined;
  if (!rules) return [];
  const out: Declaration[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line || line.charCodeAt(0) <= 32) continue; // indented or blank: not top level
    for (const rule of rules) {
      const m = rule.re.exec(line);
      if (!m) continue;
      const symbol = m[2] || "default";
      out.push({ line: i, symbol, exported: rule.exported(m) });
      break;
    }
  }
  return out;
}

const TRIPLE_QUOTE = /"""|'''/g;

/**
 * Where a declaration's body ends (exclusive), at most `to`: after the closing brace at column 0 in
 * brace languages, before the first line back at column 0 in Python (outside a triple-quoted string).
 * What follows it up to the next declaration — module-level statements, tables — is not part of it.
 */
export function declarationEnd(lines: string[], line: number, to: number, language: string | null): number {
  if (language === "python") {
    let inString = ((lines[line]!.match(TRIPLE_QUOTE)?.length ?? 0) & 1) === 1;
    for (let i = line + 1; i < to; i++) {
      const t = lines[i]!;
      if (!inString && t && t.charCodeAt(0) > 32 && !/^[#)\]}]/.test(t)) return i;
      if (((t.match(TRIPLE_QUOTE)?.length ?? 0) & 1) === 1) inString = !inString;
    }
    return to;
  }
  if (!supportsDeclarations(language)) return to;
  for (let i = line; i < to; i++) if (lines[i]!.charCodeAt(0) === 125 /* } */) return i + 1;
  return to;
}

/** The line a declaration's chunk starts at: its doc comment and decorators belong to it. */
export function leadingStart(lines: string[], line: number, floor: number): number {
  let start = line;
  for (let i = line - 1; i >= floor; i--) {
    const t = lines[i]!.trim();
    if (t.startsWith("//") || t.startsWith("/*") || t.startsWith("*") || t.startsWith("@") || t.startsWith("#[") || (t.startsWith("#") && !t.startsWith("#!"))) start = i;
    else break;
  }
  return start;
}
