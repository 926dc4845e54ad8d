import type { Db } from "@/server/adapters/db";
import { fitToBudget } from "@/server/core/paging";
import { fileKeyOf, fullTextFiles, splitFileKey, type SqlSource } from "./fulltext";
import { globMatcher } from "./query";
import { reciprocalRankFusion, type RankedFile } from "./rank";
import type { CodeResult, CodeSearchInput, CodeSearchOutput, Retriever } from "./schema";
import { vectorHits, type Semantic, type VectorHit } from "./semantic";
import { snippetOf } from "./snippet";

export interface SearchDeps extends SqlSource {
  /** Vector similarity, when embeddings and a vector store are configured; full-text alone otherwise. */
  semantic?: Semantic | null;
}

/** What the caller may see: "no raw code to AI" unless AI_RAW_CODE=allow; dashboard users get highlighted snippets. */
export interface CodeView {
  rawCode: boolean;
  highlight: boolean;
  /** The server's own disk paths (a local checkout's folder): for people at the dashboard, never for API keys. */
  localPaths?: boolean;
}

interface Fused {
  fileKey: string;
  score: number;
  retrievers: Retriever[];
  lines: { startLine: number; endLine: number; symbol: string | null }[];
}

/** Full-text ranking, fused by reciprocal rank with vector similarity when there is one. */
async function rankedFiles(deps: SearchDeps, input: CodeSearchInput): Promise<{ fused: Fused[]; terms: string[]; hybrid: boolean }> {
  const filters = { repo: input.repo, path: input.path, language: input.language };
  const [ft, vec] = await Promise.all([fullTextFiles(deps, input.q, filters), deps.semantic ? semanticFiles(deps.db, deps.semantic, input) : null]);
  const fromText = (f: RankedFile): Fused => ({ fileKey: f.fileKey, score: f.score, retrievers: f.signals, lines: f.chunks.slice(0, 3) });
  if (!vec) return { fused: ft.files.map(fromText), terms: ft.terms, hybrid: false };

  const byKey = new Map(ft.files.map((f) => [f.fileKey, fromText(f)]));
  const vecOrder: string[] = [];
  for (const h of vec) {
    if (h.kind === "folder" || vecOrder.includes(h.fileKey)) continue;
    vecOrder.push(h.fileKey);
    const entry = byKey.get(h.fileKey) ?? { fileKey: h.fileKey, score: 0, retrievers: [], lines: [] };
    entry.retrievers.push("vector");
    if (entry.lines.length === 0 && h.startLine && h.endLine) entry.lines.push({ startLine: h.startLine, endLine: h.endLine, symbol: null });
    byKey.set(h.fileKey, entry);
  }
  const rrf = reciprocalRankFusion([ft.files.map((f) => f.fileKey), vecOrder]);
  const fused = [...byKey.values()].map((f) => ({ ...f, score: rrf.get(f.fileKey) ?? 0 })).sort((a, b) => b.score - a.score || a.fileKey.localeCompare(b.fileKey));
  return { fused, terms: ft.terms, hybrid: true };
}

async function semanticFiles(db: Db, semantic: Semantic, input: CodeSearchInput): Promise<VectorHit[]> {
  const repos = input.repo ? [input.repo] : (await db.repo.findMany({ select: { id: true } })).map((r) => r.id);
  const hits = await vectorHits(db, semantic, input.q, repos);
  const pathMatches = input.path ? globMatcher(input.path) : null;
  if (!pathMatches && !input.language) return hits;
  const langs = input.language
    ? new Set((await db.repoFile.findMany({ where: { language: { equals: input.language, mode: "insensitive" } }, select: { repoId: true, path: true } })).map((f) => fileKeyOf(f.repoId, f.path)))
    : null;
  return hits.filter((h) => (!pathMatches || pathMatches(splitFileKey(h.fileKey).path)) && (!langs || langs.has(h.fileKey)));
}

/** Hybrid code search at file level: each result is a file with its best line ranges, summary and links. */
export async function searchCode(deps: SearchDeps, input: CodeSearchInput, view: CodeView): Promise<CodeSearchOutput> {
  const { fused, terms, hybrid } = await rankedFiles(deps, input);
  const offset = input.cursor ?? 0;
  const page = await withLines(deps.db, fused.slice(offset, offset + input.limit));
  const results = await describe(deps.db, page, terms, view);
  const { items, cut } = fitToBudget(results);
  const next = offset + (cut ? items.length : input.limit);
  return { results: items, nextCursor: next < fused.length ? next : null, mode: hybrid ? "hybrid" : "fulltext", terms };
}

/** A file that matched on its path, symbols or summary alone points at its first chunk (or line 1). */
async function withLines(db: Db, page: Fused[]): Promise<Fused[]> {
  return Promise.all(
    page.map(async (f) => {
      if (f.lines.length > 0) return f;
      const { repoId, path } = splitFileKey(f.fileKey);
      const first = await db.codeChunk.findFirst({ where: { repoId, path }, orderBy: { startLine: "asc" }, select: { startLine: true, endLine: true, symbol: true } });
      return { ...f, lines: [first ?? { startLine: 1, endLine: 1, symbol: null }] };
    }),
  );
}

/** Files, repos and (when the caller may see code) the best chunk of each result, in three queries. */
async function describe(db: Db, page: Fused[], terms: string[], view: CodeView): Promise<CodeResult[]> {
  if (page.length === 0) return [];
  const keys = page.map((f) => splitFileKey(f.fileKey));
  const [files, repos, chunks] = await Promise.all([
    db.repoFile.findMany({ where: { OR: keys.map((k) => ({ repoId: k.repoId, path: k.path })) }, select: { repoId: true, path: true, language: true, summary: true } }),
    db.repo.findMany({ where: { id: { in: [...new Set(keys.map((k) => k.repoId))] } }, select: { id: true, htmlUrl: true, indexedSha: true, defaultBranch: true, localPath: true } }),
    view.rawCode || view.highlight
      ? db.codeChunk.findMany({
          where: { OR: page.map((f, i) => ({ repoId: keys[i]!.repoId, path: keys[i]!.path, startLine: f.lines[0]!.startLine })) },
          select: { repoId: true, path: true, startLine: true, content: true },
        })
      : [],
  ]);
  const fileOf = new Map(files.map((f) => [fileKeyOf(f.repoId, f.path), f]));
  const repoOf = new Map(repos.map((r) => [r.id, r]));
  const contentOf = new Map(chunks.map((c) => [`${fileKeyOf(c.repoId, c.path)}:${c.startLine}`, c.content]));
  return page.map((f, i) => {
    const { repoId, path } = keys[i]!;
    const best = f.lines[0]!;
    const repo = repoOf.get(repoId);
    const content = contentOf.get(`${f.fileKey}:${best.startLine}`) ?? null;
    const ref = repo?.indexedSha ?? repo?.defaultBranch;
    return {
      repo: repoId,
      path,
      language: fileOf.get(f.fileKey)?.language ?? null,
      startLine: best.startLine,
      endLine: best.endLine,
      symbol: best.symbol,
      score: Number(f.score.toFixed(6)),
      retrievers: f.retrievers,
      summary: fileOf.get(f.fileKey)?.summary ?? null,
      matches: f.lines,
      url: repo?.htmlUrl && ref ? `${repo.htmlUrl}/blob/${ref}/${path.split("/").map(encodeURIComponent).join("/")}#L${best.startLine}-L${best.endLine}` : null,
      localPath: view.localPaths && repo?.localPath ? `${repo.localPath.replace(/\/+$/, "")}/${path}` : null,
      snippet: view.highlight && content !== null ? snippetOf(content, best.startLine, terms) : null,
      content: view.rawCode ? content : null,
    };
  });
}
