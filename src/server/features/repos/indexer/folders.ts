import type { Db } from "@/server/adapters/db";
import type { Summarizer } from "@/server/adapters/embeddings/types";
import { languageName } from "./language";

/**
 * Folder summaries, built bottom-up from each folder's own files and its subfolders' summaries, so a
 * change re-summarizes only the folders on its path (not the whole tree).
 */
const MAX_FOLDER_CHARS = 1_500;

/** Every folder on the way to these paths, deepest first; "" is the root. */
export function foldersOf(paths: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const p of paths) {
    const parts = p.split("/");
    parts.pop();
    for (let i = parts.length; i >= 0; i--) set.add(parts.slice(0, i).join("/"));
  }
  return [...set].sort((a, b) => (b ? b.split("/").length : 0) - (a ? a.split("/").length : 0) || a.localeCompare(b));
}

interface ChildFile {
  path: string;
  language: string | null;
  symbols: string[] | null;
  summary: string;
}
interface ChildFolder {
  path: string;
  file_count: number;
}

function describeFile(f: ChildFile): string {
  const name = f.path.slice(f.path.lastIndexOf("/") + 1);
  const doc = f.summary
    .split(/(?<=\.)\s/)
    .slice(1, 2)
    .join("")
    .replace(/^(Exports|Imports|Declares|Begins):.*/, "");
  const symbols = (f.symbols ?? []).slice(0, 4).join(", ");
  return [name, doc.slice(0, 120), symbols && `(${symbols})`].filter(Boolean).join(" ");
}

export function folderSummaryText(folder: string, files: ChildFile[], subfolders: ChildFolder[]): { text: string; fileCount: number } {
  const fileCount = files.length + subfolders.reduce((n, s) => n + s.file_count, 0);
  const langs = new Map<string, number>();
  for (const f of files) langs.set(languageName(f.language), (langs.get(languageName(f.language)) ?? 0) + 1);
  const langText = [...langs]
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => `${l} ${n}`)
    .join(", ");
  const parts = [`Folder ${folder || "(repository root)"}: ${fileCount} files${langText ? ` (here: ${langText})` : ""}.`];
  if (subfolders.length) parts.push(`Subfolders: ${subfolders.map((s) => `${s.path.slice(s.path.lastIndexOf("/") + 1)} (${s.file_count})`).join(", ")}.`);
  if (files.length) parts.push(`Files: ${files.map(describeFile).join("; ")}.`);
  return { text: parts.join(" ").slice(0, MAX_FOLDER_CHARS), fileCount };
}

const parentOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");

/**
 * Re-summarizes these folders (deepest first) in three statements whatever their number: their own
 * files, every folder row of the repo, one upsert. A folder left without files loses its row.
 */
export async function refreshFolders(
  db: Db,
  repoId: string,
  folders: string[],
  summarizer: Summarizer | null,
  warn: (message: string) => void,
): Promise<{ upserted: { path: string; summary: string }[]; removed: string[] }> {
  if (folders.length === 0) return { upserted: [], removed: [] };
  const files = await db.$queryRawUnsafe<ChildFile[]>(
    `SELECT path, language, symbols, summary FROM repo_file
     WHERE repo_id = $1 AND (CASE WHEN strpos(path, '/') = 0 THEN '' ELSE regexp_replace(path, '/[^/]*$', '') END) = ANY($2::text[])
     ORDER BY path`,
    repoId,
    folders,
  );
  const filesIn = new Map<string, ChildFile[]>();
  for (const f of files) {
    const list = filesIn.get(parentOf(f.path)) ?? [];
    if (list.length < 200) list.push(f);
    filesIn.set(parentOf(f.path), list);
  }
  const rows = await db.$queryRawUnsafe<ChildFolder[]>(`SELECT path, file_count FROM folder_summary WHERE repo_id = $1`, repoId);
  const counts = new Map(rows.map((r) => [r.path, r.file_count]));
  const upserted: { path: string; summary: string; fileCount: number }[] = [];
  const removed: string[] = [];
  for (const folder of folders) {
    const subfolders = [...counts].filter(([p]) => p !== "" && p !== folder && parentOf(p) === folder).map(([path, file_count]) => ({ path, file_count }));
    subfolders.sort((a, b) => a.path.localeCompare(b.path));
    const { text, fileCount } = folderSummaryText(folder, filesIn.get(folder) ?? [], subfolders);
    if (fileCount === 0) {
      counts.delete(folder);
      removed.push(folder);
      continue;
    }
    counts.set(folder, fileCount);
    let summary = text;
    if (summarizer) {
      try {
        summary = (await summarizer.summarize({ path: folder || "/", kind: "folder", text })).trim() || text;
      } catch (err) {
        warn(`folder summary of ${folder || "/"}: ${(err as Error).message}`);
      }
    }
    upserted.push({ path: folder, summary, fileCount });
  }
  await db.$transaction(async (tx) => {
    if (removed.length) await tx.$executeRawUnsafe(`DELETE FROM folder_summary WHERE repo_id = $1 AND path = ANY($2::text[])`, repoId, removed);
    if (upserted.length) {
      await tx.$executeRawUnsafe(
        `INSERT INTO folder_summary (repo_id, path, summary, file_count, updated_at)
         SELECT $1, path, summary, file_count, now() FROM jsonb_to_recordset($2::jsonb) AS x(path text, summary text, file_count int)
         ON CONFLICT (repo_id, path) DO UPDATE SET summary = EXCLUDED.summary, file_count = EXCLUDED.file_count, updated_at = EXCLUDED.updated_at`,
        repoId,
        JSON.stringify(upserted.map((u) => ({ path: u.path, summary: u.summary, file_count: u.fileCount }))),
      );
    }
  });
  return { upserted: upserted.map(({ path, summary }) => ({ path, summary })), removed };
}
