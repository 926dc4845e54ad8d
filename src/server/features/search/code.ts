import type { Db, SqlSource } from "@/server/adapters/db";
import { fitToBudget } from "@/server/core/paging";
import { fileKeyOf, fullTextFiles, splitFileKey } from "./fulltext";
import type { DetailsReader, FileDetails, KnownDetails } from "./page";
import { globMatcher } from "./query";
import { KEPT_CHUNKS, reciprocalRankFusion, type RankedFile } from "./rank";
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

/** A ranking's length, and its files from `offset` on (the page's, made only for it). */
interface Ranking {
  total: number;
  page(offset: number, limit: number): Fused[];
}
const rankingOf = <T>(list: T[], as: (item: T) => Fused): Ranking => ({ total: list.length, page: (offset, limit) => list.slice(offset, offset + limit).map(as) });

/** Full-text ranking, fused by reciprocal rank with vector similarity when there is one. */
async function rankedFiles(deps: SearchDeps, input: CodeSearchInput): Promise<{ ranking: Ranking; terms: string[]; hybrid: boolean; known: KnownDetails; details: DetailsReader }> {
  const filters = { repo: input.repo, path: input.path, language: input.language };
  const [ft, vec] = await Promise.all([fullTextFiles(deps, input.q, filters), deps.semantic ? semanticFiles(deps.db, deps.semantic, input) : null]);
  const fromText = (f: RankedFile): Fused => ({ fileKey: f.fileKey, score: f.score, retrievers: f.signals, lines: f.chunks.slice(0, KEPT_CHUNKS) });
  if (!vec) return { ranking: rankingOf(ft.files, fromText), terms: ft.terms, hybrid: false, known: ft.known, details: ft.details };

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
  return { ranking: rankingOf(fused, (f) => f), terms: ft.terms, hybrid: true, known: ft.known, details: ft.details };
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
  const { ranking, terms, hybrid, known, details } = await rankedFiles(deps, input);
  const offset = input.cursor ?? 0;
  const results = await describe(details, ranking.page(offset, input.limit), known, terms, view);
  const { items, cut } = fitToBudget(results);
  const next = offset + (cut ? items.length : input.limit);
  return { results: items, nextCursor: next < ranking.total ? next : null, mode: hybrid ? "hybrid" : "fulltext", terms };
}

/**
 * Each result's file and repo, its best chunk's text when the caller may see code, and, for a file that
 * matched on its path, symbols or summary alone, its first chunk (or line 1). What proximity already read
 * of the leading files is reused; the rest of the page is read where the ranking was: one statement
 * (fileDetails), or the postings in memory (postings.ts).
 */
async function describe(read: DetailsReader, fused: Fused[], known: KnownDetails, terms: string[], view: CodeView): Promise<CodeResult[]> {
  if (fused.length === 0) return [];
  const keys = fused.map((f) => splitFileKey(f.fileKey));
  const withContent = view.rawCode || view.highlight;
  // a file read for ranking is reused when read for the same best chunk (vectors may give a file found by its path alone a line range)
  const knownOf = (f: Fused) => {
    const k = known.get(f.fileKey);
    return k && k.startLine === (f.lines[0]?.startLine ?? null) ? k.details : undefined;
  };
  const missing = fused.flatMap((f, i) => (knownOf(f) ? [] : [i]));
  const found = await read(
    missing.map((i) => ({ ...keys[i]!, startLine: fused[i]!.lines[0]?.startLine ?? null })),
    withContent,
  );
  const rowOf = new Map<number, FileDetails>(missing.map((i, n) => [i, found[n]!]));
  for (const [i, f] of fused.entries()) if (knownOf(f)) rowOf.set(i, knownOf(f)!);
  const page = fused.map((f, i) => (f.lines.length > 0 ? f : { ...f, lines: [rowOf.get(i)?.first ?? { startLine: 1, endLine: 1, symbol: null }] }));
  return page.map((f, i) => {
    const { repoId, path } = keys[i]!;
    const best = f.lines[0]!;
    const row = rowOf.get(i);
    const content = row?.content ?? null;
    const ref = row?.indexed_sha ?? row?.default_branch;
    return {
      repo: repoId,
      path,
      language: row?.language ?? null,
      startLine: best.startLine,
      endLine: best.endLine,
      symbol: best.symbol,
      score: Number(f.score.toFixed(6)),
      retrievers: f.retrievers,
      summary: row?.summary ?? null,
      matches: f.lines,
      url: row?.html_url && ref ? `${row.html_url}/blob/${ref}/${path.split("/").map(encodeURIComponent).join("/")}#L${best.startLine}-L${best.endLine}` : null,
      localPath: view.localPaths && row?.local_path ? `${row.local_path.replace(/\/+$/, "")}/${path}` : null,
      snippet: view.highlight && content !== null ? snippetOf(content, best.startLine, terms) : null,
      content: view.rawCode ? content : null,
    };
  });
}
