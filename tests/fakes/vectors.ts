import { trimMetadata, validateId, validateRecord } from "@/server/adapters/vectors/records";
import type { VectorMatch, VectorRecord, VectorStore } from "@/server/adapters/vectors/types";
import { matchesFilter } from "./pinecone";

/**
 * An in-process VectorStore (exact cosine search over Maps) with the real stores' checks — ids ≤ 512
 * chars, one dimension, metadata trimmed under 40 KB — for indexer tests and benches that should not
 * pay for a database or a network. It reports itself as "pgvector" (the interface has two kinds).
 */
export interface MemoryVectorStore extends VectorStore {
  namespaces: Map<string, Map<string, VectorRecord>>;
  upserted: number;
  deleted: number;
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function memoryVectorStore(): MemoryVectorStore {
  const store: MemoryVectorStore = {
    kind: "pgvector",
    namespaces: new Map(),
    upserted: 0,
    deleted: 0,
    upsert: async (namespace, records) => {
      if (records.length === 0) return;
      const ns = store.namespaces.get(namespace) ?? new Map<string, VectorRecord>();
      store.namespaces.set(namespace, ns);
      for (const r of records) validateRecord(r, records[0]!.values.length);
      for (const r of records) ns.set(r.id, { ...r, metadata: trimMetadata(r.metadata) });
      store.upserted += records.length;
    },
    deleteIds: async (namespace, ids) => {
      ids.forEach(validateId);
      const ns = store.namespaces.get(namespace);
      for (const id of ids) if (ns?.delete(id)) store.deleted++;
    },
    query: async (namespace, vector, opts): Promise<VectorMatch[]> =>
      [...(store.namespaces.get(namespace)?.values() ?? [])]
        .filter((r) => !opts.filter || matchesFilter(r.metadata, opts.filter))
        .map((r) => ({ id: r.id, score: cosine(vector, r.values), metadata: r.metadata }))
        .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
        .slice(0, opts.topK),
  };
  return store;
}
