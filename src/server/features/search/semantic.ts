import type { Db } from "@/server/adapters/db";
import type { Embedder } from "@/server/adapters/embeddings/types";
import type { VectorStore } from "@/server/adapters/vectors/types";
import { fileKeyOf } from "./fulltext";

/** Vector similarity, when an embedder and a vector store are configured. Namespaces are repo ids. */
export interface Semantic {
  embedder: Embedder;
  vectors: VectorStore;
}

export interface VectorHit {
  fileKey: string;
  kind: "chunk" | "file" | "folder";
  score: number;
  startLine: number | null;
  endLine: number | null;
}

const str = (v: unknown) => (typeof v === "string" ? v : null);
const num = (v: unknown) => (typeof v === "number" ? v : null);

/**
 * The nearest records to the question in each repo's namespace, best first. A match is placed by its
 * chunk row when its id is a code_chunk id, else by its metadata (path, startLine/endLine, kind).
 */
export async function vectorHits(db: Db, semantic: Semantic, q: string, repos: string[], topK = 50): Promise<VectorHit[]> {
  const { vectors } = await semantic.embedder.embed([q]);
  const vector = vectors[0];
  if (!vector || repos.length === 0) return [];
  const perRepo = await Promise.all(repos.map(async (repo) => (await semantic.vectors.query(repo, vector, { topK })).map((m) => ({ repo, m }))));
  const matches = perRepo.flat().sort((a, b) => b.m.score - a.m.score);
  const ids = matches.map(({ m }) => m.id);
  const chunks = ids.length ? await db.codeChunk.findMany({ where: { id: { in: ids } }, select: { id: true, repoId: true, path: true, startLine: true, endLine: true } }) : [];
  const byId = new Map(chunks.map((c) => [c.id, c]));
  const out: VectorHit[] = [];
  for (const { repo, m } of matches) {
    const c = byId.get(m.id);
    if (c) {
      out.push({ fileKey: fileKeyOf(c.repoId, c.path), kind: "chunk", score: m.score, startLine: c.startLine, endLine: c.endLine });
      continue;
    }
    const path = str(m.metadata.path);
    if (!path) continue;
    const kind = m.metadata.kind === "folder" ? "folder" : m.metadata.kind === "file" ? "file" : "chunk";
    out.push({ fileKey: fileKeyOf(str(m.metadata.repo) ?? repo, path), kind, score: m.score, startLine: num(m.metadata.startLine), endLine: num(m.metadata.endLine) });
  }
  return out;
}
