import type { Env } from "@/env";
import type { Db } from "../db";
import { ensureVectorExtension, PgVectorStore } from "./pgvector";
import { PineconeVectorStore, type PineconeStoreConfig } from "./pinecone";
import type { VectorStore } from "./types";

export type { VectorMatch, VectorRecord, VectorStore } from "./types";
export { InvalidVectorRecordError } from "./records";
export { InvalidFilterError } from "./filter-sql";
export { PgVectorStore, VECTOR_TABLE } from "./pgvector";
export { PineconeVectorStore } from "./pinecone";

type VectorEnv = Pick<Env, "PINECONE_API_KEY" | "PINECONE_INDEX" | "PINECONE_API_URL" | "PINECONE_INDEX_HOST">;
export type VectorStoreKind = VectorStore["kind"];

function pineconeConfig(e: VectorEnv): PineconeStoreConfig | null {
  if (!e.PINECONE_API_KEY || !e.PINECONE_INDEX) return null;
  return { apiKey: e.PINECONE_API_KEY, index: e.PINECONE_INDEX, controllerHostUrl: e.PINECONE_API_URL, indexHost: e.PINECONE_INDEX_HOST };
}

/**
 * Where vectors go: Pinecone when PINECONE_API_KEY and PINECONE_INDEX are set, else pgvector in the
 * app's database when the `vector` extension exists there (it is created if needed), else null —
 * search is then full-text only.
 */
export async function createVectorStore(e: VectorEnv, db: Db, overrides: Partial<PineconeStoreConfig> = {}): Promise<VectorStore | null> {
  const pinecone = pineconeConfig(e);
  if (pinecone) return new PineconeVectorStore({ ...pinecone, ...overrides });
  return (await ensureVectorExtension(db)) ? new PgVectorStore(db) : null;
}

/** Which store createVectorStore would pick, without creating anything (for /ai/status). */
export async function vectorStoreKind(e: VectorEnv, db: Db): Promise<VectorStoreKind | null> {
  if (pineconeConfig(e)) return "pinecone";
  try {
    const rows = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`);
    return rows[0]?.n ? "pgvector" : null;
  } catch {
    return null;
  }
}
