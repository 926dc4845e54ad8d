import { Prisma } from "@/generated/prisma/client";
import type { Db, SqlSource } from "@/server/adapters/db";
import { fitToBudget } from "@/server/core/paging";
import { fileKeyOf, selectPrepared, splitFileKey } from "./fulltext";
import { globMatcher, globToRegex, searchWords } from "./query";
import { reciprocalRankFusion } from "./rank";
import type { SearchDeps } from "./code";
import type { RecallInput, RecallOutput } from "./schema";
import { vectorHits } from "./semantic";

type Item = RecallOutput["results"][number];

/**
 * "Where is billing handled?": file and folder summaries (with their paths and symbols) ranked by
 * ts_rank_cd over their documents — small texts, so ranking them directly is cheap — fused by
 * reciprocal rank with vector similarity over the same summaries when vectors exist.
 */
export async function recall(deps: SearchDeps, input: RecallInput): Promise<RecallOutput> {
  const { db, semantic } = deps;
  const words = searchWords(input.q);
  const text = words.length ? await fullTextRecall(deps, words, input) : [];
  if (!semantic) return { results: fitToBudget(text.slice(0, input.limit)).items, mode: "fulltext" };

  const repos = input.repo ? [input.repo] : (await db.repo.findMany({ select: { id: true } })).map((r) => r.id);
  const pathMatches = input.path ? globMatcher(input.path) : null;
  const hits = (await vectorHits(db, semantic, input.q, repos)).filter((h) => h.kind !== "chunk" && (!pathMatches || pathMatches(splitFileKey(h.fileKey).path)));
  const keyOf = (kind: string, fileKey: string) => `${kind}\u0001${fileKey}`;
  const byKey = new Map(text.map((t) => [keyOf(t.kind, fileKeyOf(t.repo, t.path)), t]));
  const missing = hits.filter((h) => !byKey.has(keyOf(h.kind, h.fileKey)));
  for (const item of await describe(
    db,
    missing.map((h) => ({ kind: h.kind as Item["kind"], ...splitFileKey(h.fileKey) })),
  ))
    byKey.set(keyOf(item.kind, fileKeyOf(item.repo, item.path)), item);
  const vectorOrder = hits.map((h) => keyOf(h.kind, h.fileKey));
  for (const k of vectorOrder) byKey.get(k)?.retrievers.push("vector");
  const rrf = reciprocalRankFusion([text.map((t) => keyOf(t.kind, fileKeyOf(t.repo, t.path))), vectorOrder]);
  const results = [...byKey.entries()]
    .map(([k, item]) => ({ ...item, score: Number((rrf.get(k) ?? 0).toFixed(6)) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, input.limit);
  return { results: fitToBudget(results).items, mode: "hybrid" };
}

interface Row {
  kind: "file" | "folder";
  repo_id: string;
  path: string;
  summary: string;
  score: number;
}

/**
 * The question's stemmed lexemes as one OR query, stemmed by Postgres in the statement itself (one round
 * trip): each quoted as tsLiteral quotes, in code-unit order. No lexeme (stop words only) matches nothing.
 */
const anyLexeme = (words: string[]) =>
  Prisma.sql`(SELECT string_agg('''' || replace("lexeme", '''', '''''') || '''', ' | ' ORDER BY "lexeme" COLLATE "C") FROM unnest(to_tsvector('english'::regconfig, ${words.join(" ")})))::tsquery`;

async function fullTextRecall(src: SqlSource, words: string[], input: RecallInput): Promise<Item[]> {
  const where = (alias: string) => {
    const out: Prisma.Sql[] = [];
    if (input.repo) out.push(Prisma.sql`${Prisma.raw(alias)}."repo_id" = ${input.repo}`);
    if (input.path) out.push(Prisma.sql`${Prisma.raw(alias)}."path" ~ ${globToRegex(input.path)}`);
    return out.length ? Prisma.sql` AND ${Prisma.join(out, " AND ")}` : Prisma.empty;
  };
  // their stored documents (repo_file_search_document and folder_summary_search_document of the row)
  const fileDoc = Prisma.sql`f."search_doc"`;
  const folderDoc = Prisma.sql`d."search_doc"`;
  // Normalization 1 (divide by 1 + log length) keeps long summaries from winning on length alone.
  // Prepared once per connection (and on PGlite once, where planning costs the app's CPU): a recall by words
  // alone has one text, and its plan never depends on the values, as the question reaches the scans through q.
  const rows = await selectPrepared<Row>(
    src,
    Prisma.sql`
    WITH q AS (SELECT ${anyLexeme(words)} AS "query")
    (SELECT 'file' AS kind, f."repo_id", f."path", f."summary", ts_rank_cd(${fileDoc}, (SELECT "query" FROM q), 1)::float8 AS score
       FROM "repo_file" f WHERE ${fileDoc} @@ (SELECT "query" FROM q)${where("f")})
    UNION ALL
    (SELECT 'folder' AS kind, d."repo_id", d."path", d."summary", ts_rank_cd(${folderDoc}, (SELECT "query" FROM q), 1)::float8 * 1.2 AS score
       FROM "folder_summary" d WHERE ${folderDoc} @@ (SELECT "query" FROM q)${where("d")})
    ORDER BY score DESC, path LIMIT ${input.limit * 3}`,
  );
  return rows.map((r) => ({ kind: r.kind, repo: r.repo_id, path: r.path, summary: r.summary, score: Number(r.score.toFixed(6)), retrievers: ["fulltext"] }));
}

async function describe(db: Db, refs: { kind: Item["kind"]; repoId: string; path: string }[]): Promise<Item[]> {
  const files = refs.filter((r) => r.kind === "file");
  const folders = refs.filter((r) => r.kind === "folder");
  const [f, d] = await Promise.all([
    files.length ? db.repoFile.findMany({ where: { OR: files.map(({ repoId, path }) => ({ repoId, path })) }, select: { repoId: true, path: true, summary: true } }) : [],
    folders.length ? db.folderSummary.findMany({ where: { OR: folders.map(({ repoId, path }) => ({ repoId, path })) }, select: { repoId: true, path: true, summary: true } }) : [],
  ]);
  return [
    ...f.map((r) => ({ kind: "file" as const, repo: r.repoId, path: r.path, summary: r.summary, score: 0, retrievers: [] as Item["retrievers"] })),
    ...d.map((r) => ({ kind: "folder" as const, repo: r.repoId, path: r.path, summary: r.summary, score: 0, retrievers: [] as Item["retrievers"] })),
  ];
}
