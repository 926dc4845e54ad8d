/** A file's language from its name, for filters, chunking rules and summaries. */
const BY_EXT: Record<string, string> = {
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  cts: "typescript",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  py: "python",
  pyi: "python",
  go: "go",
  rs: "rust",
  java: "java",
  kt: "kotlin",
  kts: "kotlin",
  scala: "scala",
  rb: "ruby",
  php: "php",
  cs: "csharp",
  swift: "swift",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  sh: "shell",
  bash: "shell",
  zsh: "shell",
  sql: "sql",
  prisma: "prisma",
  graphql: "graphql",
  gql: "graphql",
  proto: "protobuf",
  md: "markdown",
  mdx: "markdown",
  rst: "restructuredtext",
  txt: "text",
  json: "json",
  jsonc: "json",
  yaml: "yaml",
  yml: "yaml",
  toml: "toml",
  ini: "ini",
  xml: "xml",
  html: "html",
  htm: "html",
  css: "css",
  scss: "scss",
  less: "less",
  vue: "vue",
  svelte: "svelte",
  astro: "astro",
  lua: "lua",
  ex: "elixir",
  exs: "elixir",
  erl: "erlang",
  hs: "haskell",
  dart: "dart",
  r: "r",
  pl: "perl",
};
const BY_NAME: Record<string, string> = { Dockerfile: "dockerfile", Makefile: "makefile", Jenkinsfile: "groovy", Procfile: "text", LICENSE: "text" };

export const LANGUAGE_NAMES: Record<string, string> = {
  typescript: "TypeScript",
  javascript: "JavaScript",
  python: "Python",
  go: "Go",
  rust: "Rust",
  java: "Java",
  markdown: "Markdown",
  json: "JSON",
  yaml: "YAML",
  csharp: "C#",
  cpp: "C++",
  shell: "Shell",
  sql: "SQL",
};

export function languageOf(path: string): string | null {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (BY_NAME[name]) return BY_NAME[name]!;
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  return BY_EXT[name.slice(dot + 1).toLowerCase()] ?? null;
}

export function languageName(language: string | null): string {
  if (!language) return "Text";
  return LANGUAGE_NAMES[language] ?? language.charAt(0).toUpperCase() + language.slice(1);
}
