import path from "node:path";

/** Languages by file extension, for a local checkout (GitHub's own numbers come from linguist). */
const BY_EXTENSION: Record<string, string> = {
  ".ts": "TypeScript",
  ".tsx": "TypeScript",
  ".mts": "TypeScript",
  ".cts": "TypeScript",
  ".js": "JavaScript",
  ".jsx": "JavaScript",
  ".mjs": "JavaScript",
  ".cjs": "JavaScript",
  ".py": "Python",
  ".rb": "Ruby",
  ".go": "Go",
  ".rs": "Rust",
  ".java": "Java",
  ".kt": "Kotlin",
  ".swift": "Swift",
  ".c": "C",
  ".h": "C",
  ".cc": "C++",
  ".cpp": "C++",
  ".hpp": "C++",
  ".cs": "C#",
  ".php": "PHP",
  ".scala": "Scala",
  ".sh": "Shell",
  ".bash": "Shell",
  ".zsh": "Shell",
  ".ps1": "PowerShell",
  ".sql": "PLpgSQL",
  ".prisma": "Prisma",
  ".css": "CSS",
  ".scss": "SCSS",
  ".less": "Less",
  ".html": "HTML",
  ".vue": "Vue",
  ".svelte": "Svelte",
  ".md": "Markdown",
  ".mdx": "MDX",
  ".json": "JSON",
  ".yml": "YAML",
  ".yaml": "YAML",
  ".toml": "TOML",
  ".lua": "Lua",
  ".dart": "Dart",
  ".ex": "Elixir",
  ".exs": "Elixir",
  ".erl": "Erlang",
  ".hs": "Haskell",
  ".clj": "Clojure",
};
const BY_NAME: Record<string, string> = { Dockerfile: "Dockerfile", Makefile: "Makefile" };

export function languageOf(file: string): string | null {
  const base = path.posix.basename(file);
  return BY_NAME[base] ?? BY_EXTENSION[path.posix.extname(base).toLowerCase()] ?? null;
}

/** Bytes per language, largest first, with each one's share of the total. */
export function languageShares(bytes: Record<string, number>): { language: string; bytes: number; share: number }[] {
  const total = Object.values(bytes).reduce((s, b) => s + b, 0);
  return Object.entries(bytes)
    .map(([language, b]) => ({ language, bytes: b, share: total ? Math.round((b / total) * 10_000) / 10_000 : 0 }))
    .sort((a, b) => b.bytes - a.bytes || a.language.localeCompare(b.language));
}
