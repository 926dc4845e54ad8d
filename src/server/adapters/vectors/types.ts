/** A vector index (Pinecone, or pgvector in the same Postgres), one namespace per repo. */
export interface VectorRecord {
  /** ≤ 512 chars. */
  id: string;
  values: number[];
  /** ≤ 40 KB serialized; strings, numbers, booleans and string lists only. */
  metadata: Record<string, string | number | boolean | string[]>;
}

export interface VectorMatch {
  id: string;
  score: number;
  metadata: VectorRecord["metadata"];
}

export interface VectorStore {
  readonly kind: "pinecone" | "pgvector";
  upsert(namespace: string, records: VectorRecord[]): Promise<void>;
  deleteIds(namespace: string, ids: string[]): Promise<void>;
  query(namespace: string, vector: number[], opts: { topK: number; filter?: Record<string, unknown> }): Promise<VectorMatch[]>;
}
