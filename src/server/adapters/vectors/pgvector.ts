import type { Db } from "../db";
import { compileFilter } from "./filter-sql";
import { chunk, InvalidVectorRecordError, trimMetadata, validateId, validateRecord } from "./records";
import type { VectorMatch, VectorRecord, VectorStore } from "./types";

/**
 * Vectors in the app's own Postgres through pgvector (bundled with the embedded PGlite). The column's
 * size depends on the embedding model, so `code_vector` is created at the first upsert rather than
 * by a migration; it sits outside schema.prisma (the drift test skips it). When the model's size
 * changes the table is recreated: vectors of another model cannot be compared with new queries, and
 * the next index run writes them again. Cosine distance; an HNSW index on a real Postgres (pgvector's
 * limit: ≤ 2,000 dimensions; larger vectors, and PGlite, are searched exactly).
 */
export const VECTOR_TABLE = "code_vector";
const HNSW_MAX_DIMENSIONS = 2000;
const ROWS_PER_INSERT = 500;
const MAX_TOP_K = 1000;

/** True when the database has (or can create) the `vector` extension. */
export async function ensureVectorExtension(db: Db): Promise<boolean> {
  try {
    const available = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`);
    if (!available[0]?.n) return false;
    await db.$executeRawUnsafe(`CREATE EXTENSION IF NOT EXISTS vector`);
    return true;
  } catch {
    return false; // no rights to create it, or a server without the extension's files
  }
}

/** pgvector stores float4: 9 significant digits round-trip exactly and halve the text to parse. */
const toVectorLiteral = (v: number[]) => `[${v.map((x) => x.toPrecision(9)).join(",")}]`;

export class PgVectorStore implements VectorStore {
  readonly kind = "pgvector" as const;
  private dims: number | null | undefined; // undefined: not read yet; null: no table yet
  private iterativeScan: boolean | undefined;
  private annIndex: boolean | undefined;

  /** `index`: "auto" builds HNSW on a real Postgres only; "hnsw" / "exact" force the choice. */
  constructor(
    private readonly db: Db,
    private readonly opts: { index?: "auto" | "hnsw" | "exact" } = {},
  ) {}

  /** The table's vector size, or null before the first upsert. */
  async dimensions(): Promise<number | null> {
    if (this.dims !== undefined) return this.dims;
    const rows = await this.db.$queryRawUnsafe<{ dims: number }[]>(
      `SELECT a.atttypmod AS dims FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding' AND NOT a.attisdropped`,
      VECTOR_TABLE,
    );
    this.dims = rows[0] ? Number(rows[0].dims) : null;
    return this.dims;
  }

  private async ensureTable(dims: number): Promise<void> {
    const current = await this.dimensions();
    if (current === dims) return;
    if (current !== null) {
      console.warn(`[vectors] embedding size changed (${current} → ${dims}): recreating ${VECTOR_TABLE}; the next index run fills it again`);
      await this.db.$executeRawUnsafe(`DROP TABLE IF EXISTS ${VECTOR_TABLE}`);
    }
    await this.db.$executeRawUnsafe(
      `CREATE TABLE IF NOT EXISTS ${VECTOR_TABLE} (
         namespace text NOT NULL,
         id text NOT NULL,
         embedding vector(${dims}) NOT NULL,
         metadata jsonb NOT NULL DEFAULT '{}',
         PRIMARY KEY (namespace, id)
       )`,
    );
    // PGlite runs pgvector as WebAssembly, where every HNSW insert costs ~10× a plain row: the embedded
    // database searches exactly instead (fine at one repo's size), a real Postgres gets the index.
    const mode = this.opts.index ?? "auto";
    const [{ wasm } = { wasm: false }] = await this.db.$queryRawUnsafe<{ wasm: boolean }[]>(`SELECT version() ~* 'emscripten|wasm' AS wasm`);
    if (dims <= HNSW_MAX_DIMENSIONS && (mode === "hnsw" || (mode === "auto" && !wasm))) {
      await this.db.$executeRawUnsafe(`CREATE INDEX IF NOT EXISTS ${VECTOR_TABLE}_embedding_idx ON ${VECTOR_TABLE} USING hnsw (embedding vector_cosine_ops)`);
    }
    this.dims = dims;
    this.annIndex = undefined;
  }

  async upsert(namespace: string, records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const dims = records[0]!.values.length;
    const byId = new Map<string, VectorRecord>();
    for (const r of records) {
      validateRecord(r, dims);
      byId.set(r.id, r); // one row per id per statement (ON CONFLICT cannot touch a row twice); the last wins
    }
    await this.ensureTable(dims);
    for (const batch of chunk([...byId.values()], ROWS_PER_INSERT)) {
      const params: unknown[] = [];
      const rows = batch.map((r) => {
        params.push(namespace, r.id, toVectorLiteral(r.values), JSON.stringify(trimMetadata(r.metadata)));
        const n = params.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}::vector, $${n}::jsonb)`;
      });
      await this.db.$executeRawUnsafe(
        `INSERT INTO ${VECTOR_TABLE} (namespace, id, embedding, metadata) VALUES ${rows.join(", ")}
         ON CONFLICT (namespace, id) DO UPDATE SET embedding = excluded.embedding, metadata = excluded.metadata`,
        ...params,
      );
    }
  }

  async deleteIds(namespace: string, ids: string[]): Promise<void> {
    if (ids.length === 0 || (await this.dimensions()) === null) return;
    ids.forEach(validateId);
    for (const batch of chunk([...new Set(ids)], 1000)) {
      await this.db.$executeRawUnsafe(`DELETE FROM ${VECTOR_TABLE} WHERE namespace = $1 AND id = ANY($2::text[])`, namespace, batch);
    }
  }

  async query(namespace: string, vector: number[], opts: { topK: number; filter?: Record<string, unknown> }): Promise<VectorMatch[]> {
    if (!Number.isInteger(opts.topK) || opts.topK < 1) throw new InvalidVectorRecordError(`topK must be a positive integer, got ${opts.topK}`);
    const dims = await this.dimensions();
    if (dims === null) return [];
    if (vector.length !== dims) throw new InvalidVectorRecordError(`query vector has ${vector.length} dimensions, the index holds ${dims}`);
    const topK = Math.min(opts.topK, MAX_TOP_K);
    const params: unknown[] = [toVectorLiteral(vector), namespace, topK];
    const where = opts.filter && Object.keys(opts.filter).length > 0 ? ` AND ${compileFilter(opts.filter, "metadata", params)}` : "";
    // HNSW stops after ef_search candidates, so a namespace or filter could starve the result; pgvector
    // ≥ 0.8 keeps scanning until topK rows pass (relaxed order, re-sorted outside).
    const sql = `SELECT id, metadata, score FROM (
        SELECT id, metadata, 1 - (embedding <=> $1::vector) AS score FROM ${VECTOR_TABLE}
         WHERE namespace = $2${where} ORDER BY embedding <=> $1::vector LIMIT $3
      ) hits ORDER BY score DESC, id`;
    type Row = { id: string; metadata: VectorMatch["metadata"]; score: number };
    const rows = (await this.usesHnsw())
      ? await this.db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
          await tx.$executeRawUnsafe(`SET LOCAL hnsw.ef_search = ${Math.max(40, topK)}`);
          return tx.$queryRawUnsafe<Row[]>(sql, ...params);
        })
      : await this.db.$queryRawUnsafe<Row[]>(sql, ...params);
    return rows.map((r) => ({ id: r.id, score: Number(r.score), metadata: r.metadata }));
  }

  /** An HNSW index exists and pgvector can iterate it (≥ 0.8), so the session settings apply. */
  private async usesHnsw(): Promise<boolean> {
    if (this.annIndex === undefined) {
      const rows = await this.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = $1 AND indexdef ILIKE '%USING hnsw%'`, VECTOR_TABLE);
      this.annIndex = (rows[0]?.n ?? 0) > 0;
    }
    if (!this.annIndex) return false;
    if (this.iterativeScan === undefined) {
      const rows = await this.db.$queryRawUnsafe<{ v: string }[]>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`);
      const [major = 0, minor = 0] = (rows[0]?.v ?? "0.0").split(".").map(Number);
      this.iterativeScan = major > 0 || minor >= 8;
    }
    return this.iterativeScan;
  }
}
