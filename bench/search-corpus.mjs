// A minimal loader for the search benchmark: writes a folder of sources as one repo's repo_file,
// code_chunk and folder_summary rows (declaration chunks, extractive summaries), the shape the
// indexer (src/server/jobs/index-repo) produces, so ranking can be measured on a real codebase.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { tsImport } from "tsx/esm/api";

// Chunks carry their document as the indexer writes it (identifiers split in Node, src/server/jobs/index-repo/store.ts).
const { distinctWords } = await tsImport("../src/server/features/search/query.ts", import.meta.url);

const LANGUAGES = { ".ts": "typescript", ".tsx": "typescript", ".js": "javascript", ".mjs": "javascript", ".md": "markdown" };
const DECLARATION = /^(export\s+)?(default\s+)?(declare\s+)?(abstract\s+)?(async\s+)?(function\*?|class|interface|type|const|let|enum|namespace)\s+([A-Za-z_$][\w$]*)/;
const MAX_LINES = 80;

export function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (LANGUAGES[path.extname(name)]) out.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  walk(root);
  return out;
}

/** Chunks at top-level declarations (with their leading comment), long ones cut in windows. */
export function chunk(text) {
  const lines = text.split("\n");
  const starts = [];
  for (let i = 0; i < lines.length; i++) {
    const m = DECLARATION.exec(lines[i]);
    if (!m) continue;
    let s = i;
    while (s > 0 && /^\s*(\/\*\*|\*|\*\/|\/\/)/.test(lines[s - 1])) s--;
    starts.push({ line: s, symbol: m[7] });
  }
  if (starts.length === 0 || starts[0].line > 0) starts.unshift({ line: 0, symbol: null });
  const out = [];
  starts.forEach((st, k) => {
    const end = (starts[k + 1]?.line ?? lines.length) - 1;
    for (let a = st.line; a <= end; a += MAX_LINES - 10) {
      const b = Math.min(end, a + MAX_LINES - 1);
      const content = lines.slice(a, b + 1).join("\n");
      if (content.trim()) out.push({ startLine: a + 1, endLine: b + 1, symbol: st.symbol, kind: st.symbol ? "declaration" : "window", content });
      if (b === end) break;
    }
  });
  return out;
}

/** Extractive summary: the leading doc comment, exported symbols and imports. */
export function summarize(file, text, language) {
  const exported = [...text.matchAll(/^export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|const|let|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
  const doc = /^\s*(?:\/\/[^\n]*\n)*\s*\/\*\*([\s\S]*?)\*\//.exec(text)?.[1]?.replace(/^\s*\* ?/gm, "").trim().slice(0, 400) ?? "";
  const imports = [...new Set([...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]))].slice(0, 15);
  const parts = [`${language} file ${file}.`];
  if (doc) parts.push(doc);
  if (exported.length) parts.push(`Exports: ${[...new Set(exported)].slice(0, 40).join(", ")}.`);
  if (imports.length) parts.push(`Imports: ${imports.join(", ")}.`);
  return { summary: parts.join(" "), symbols: [...new Set(exported)] };
}

/** Writes the folder as repo `repoId` through a pg client (replacing what was there). */
export async function loadCorpus(client, repoId, root) {
  await client.query(`DELETE FROM "repo" WHERE "id" = $1`, [repoId]);
  await client.query(`INSERT INTO "repo" ("id", "source", "default_branch", "local_path", "indexed_sha", "indexed_at", "index_state") VALUES ($1, 'local', 'main', $2, 'bench', now(), 'ready')`, [repoId, root]);
  const files = listFiles(root);
  const folders = new Map();
  let chunks = 0;
  for (const file of files) {
    const text = readFileSync(path.join(root, file), "utf8");
    const language = LANGUAGES[path.extname(file)];
    const sha = createHash("sha1").update(text).digest("hex");
    const { summary, symbols } = summarize(file, text, language);
    await client.query(
      `INSERT INTO "repo_file" ("repo_id", "path", "blob_sha", "language", "size", "summary_source", "summary", "symbols") VALUES ($1, $2, $3, $4, $5, 'extractive', $6, $7)`,
      [repoId, file, sha, language, text.length, summary, symbols],
    );
    const pieces = chunk(text);
    chunks += pieces.length;
    for (const c of pieces) {
      const id = createHash("sha256").update(`${repoId}\0${file}\0${sha}\0${c.startLine}`).digest("hex");
      await client.query(
        `INSERT INTO "code_chunk" ("id", "repo_id", "path", "blob_sha", "start_line", "end_line", "kind", "symbol", "language", "content", "search_doc")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "code_chunk_words_document"($11, $12))`,
        [id, repoId, file, sha, c.startLine, c.endLine, c.kind, c.symbol, language, c.content, distinctWords(c.symbol ?? ""), distinctWords(c.content)],
      );
    }
    const dir = path.posix.dirname(file);
    folders.set(dir, [...(folders.get(dir) ?? []), path.posix.basename(file)]);
  }
  for (const [dir, names] of folders) {
    await client.query(`INSERT INTO "folder_summary" ("repo_id", "path", "summary", "file_count") VALUES ($1, $2, $3, $4)`, [repoId, dir, `Folder ${dir}: ${names.join(", ")}`, names.length]);
  }
  return { files: files.length, chunks };
}
