import type { Embedder } from "@/server/adapters/embeddings/types";
import type { VectorRecord, VectorStore } from "@/server/adapters/vectors/types";
import type { PreparedFile } from "./prepare";
import { fileVectorId, folderVectorId, vectorNamespace } from "./vector-ids";

/** Embeds what the index stores (redacted chunks, file and folder summaries) and writes it to the vector store. */
export interface VectorSink {
  embedder: Embedder;
  store: VectorStore;
}

const EMBED_INPUT_CHARS = 8_000;

type Item = { id: string; text: string; metadata: VectorRecord["metadata"] };

async function embedAndUpsert(sink: VectorSink, repoId: string, items: Item[]): Promise<number> {
  if (items.length === 0) return 0;
  const { vectors, tokens } = await sink.embedder.embed(items.map((i) => i.text.slice(0, EMBED_INPUT_CHARS)));
  if (vectors.length !== items.length) throw new Error(`The embedder returned ${vectors.length} vectors for ${items.length} texts.`);
  await sink.store.upsert(
    vectorNamespace(repoId),
    items.map((it, i) => ({ id: it.id, values: vectors[i]!, metadata: it.metadata })),
  );
  return tokens;
}

export function fileItems(repoId: string, files: PreparedFile[]): Item[] {
  const items: Item[] = [];
  for (const f of files) {
    const lang: VectorRecord["metadata"] = f.language ? { language: f.language } : {};
    items.push({ id: fileVectorId(repoId, f.path), text: `${f.path}\n${f.summary}`, metadata: { type: "file", repo: repoId, path: f.path, summary: f.summary.slice(0, 2_000), ...lang } });
    for (const c of f.chunks) {
      items.push({
        id: c.id,
        text: `${f.path}:${c.startLine}-${c.endLine}${c.symbol ? ` ${c.symbol}` : ""}\n${c.content}`,
        metadata: { ...(c.symbol ? { symbol: c.symbol } : {}), type: "chunk", repo: repoId, path: f.path, startLine: c.startLine, endLine: c.endLine, kind: c.kind, ...lang },
      });
    }
  }
  return items;
}

export async function upsertFileVectors(sink: VectorSink, repoId: string, files: PreparedFile[]): Promise<number> {
  return embedAndUpsert(sink, repoId, fileItems(repoId, files));
}

export async function upsertFolderVectors(sink: VectorSink, repoId: string, folders: { path: string; summary: string }[]): Promise<number> {
  return embedAndUpsert(
    sink,
    repoId,
    folders.map((f) => ({ id: folderVectorId(repoId, f.path), text: `${f.path || "/"}\n${f.summary}`, metadata: { type: "folder", repo: repoId, path: f.path, summary: f.summary.slice(0, 2_000) } })),
  );
}

export async function deleteVectors(sink: VectorSink, repoId: string, ids: string[]): Promise<void> {
  if (ids.length) await sink.store.deleteIds(vectorNamespace(repoId), ids);
}
