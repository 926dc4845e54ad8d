import { Pinecone, type Index, type RecordMetadata } from "@pinecone-database/pinecone";
import { retryingFetch, type RetryPolicy } from "../retrying-fetch";
import { batchBySize, chunk, InvalidVectorRecordError, MAX_IDS_PER_DELETE, MAX_RECORDS_PER_UPSERT, MAX_REQUEST_BYTES, trimMetadata, validateId, validateRecord } from "./records";
import type { VectorMatch, VectorRecord, VectorStore } from "./types";

export interface PineconeStoreConfig {
  apiKey: string;
  index: string;
  /** Control plane, where the index host is looked up (default https://api.pinecone.io). */
  controllerHostUrl?: string;
  /** The index's data-plane host; skips the describe_index lookup. */
  indexHost?: string;
  /** Requests in flight at once for one upsert or delete (default 4). */
  concurrency?: number;
  retry?: RetryPolicy;
}

/** Pinecone's largest topK for a query with metadata. */
const MAX_TOP_K = 1000;

function normalizeHost(host: string): string {
  return /^https?:\/\//.test(host) ? host : `https://${host}`;
}

async function inPool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const item = items[next++]!;
      await run(item).catch((err: unknown) => {
        failed = true;
        throw err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Vectors in a Pinecone index, one namespace per repo. Records are checked before anything is sent
 * (ids ≤ 512 chars, one dimension), metadata is trimmed under 40 KB, and upserts go in batches of at
 * most 1,000 records and 2 MB — the limits Pinecone answers 400 for.
 */
export class PineconeVectorStore implements VectorStore {
  readonly kind = "pinecone" as const;
  private readonly client: Pinecone;
  private readonly index: Index<RecordMetadata>;
  private readonly concurrency: number;

  constructor(private readonly cfg: PineconeStoreConfig) {
    this.client = new Pinecone({
      apiKey: cfg.apiKey,
      controllerHostUrl: cfg.controllerHostUrl,
      maxRetries: 0, // retryingFetch retries 429 and 5xx with backoff; the SDK's own retries skip 429
      fetchApi: retryingFetch(cfg.retry),
    });
    this.index = this.client.index({ name: cfg.index, ...(cfg.indexHost ? { host: normalizeHost(cfg.indexHost) } : {}) });
    this.concurrency = Math.max(1, cfg.concurrency ?? 4);
  }

  async upsert(namespace: string, records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const dimensions = records[0]!.values.length;
    const prepared = records.map((r) => {
      validateRecord(r, dimensions);
      return { id: r.id, values: r.values, metadata: trimMetadata(r.metadata) };
    });
    const envelopeBytes = Buffer.byteLength(JSON.stringify({ vectors: [], namespace }), "utf8") + 64;
    const batches = batchBySize(prepared, { maxRecords: MAX_RECORDS_PER_UPSERT, maxBytes: MAX_REQUEST_BYTES, envelopeBytes });
    const ns = this.index.namespace(namespace);
    await inPool(batches, this.concurrency, (batch) => ns.upsert({ records: batch }));
  }

  async deleteIds(namespace: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    ids.forEach(validateId);
    const ns = this.index.namespace(namespace);
    await inPool(chunk([...new Set(ids)], MAX_IDS_PER_DELETE), this.concurrency, (batch) => ns.deleteMany({ ids: batch }));
  }

  async query(namespace: string, vector: number[], opts: { topK: number; filter?: Record<string, unknown> }): Promise<VectorMatch[]> {
    if (!Number.isInteger(opts.topK) || opts.topK < 1) throw new InvalidVectorRecordError(`topK must be a positive integer, got ${opts.topK}`);
    const res = await this.index.namespace(namespace).query({
      vector,
      topK: Math.min(opts.topK, MAX_TOP_K),
      includeMetadata: true,
      includeValues: false,
      ...(opts.filter && Object.keys(opts.filter).length > 0 ? { filter: opts.filter } : {}),
    });
    return (res.matches ?? []).map((m) => ({ id: m.id, score: m.score ?? 0, metadata: (m.metadata ?? {}) as VectorMatch["metadata"] }));
  }

  /** Records per namespace, for the Repos page and tests. */
  async stats(): Promise<{ dimension: number | null; namespaces: Record<string, number> }> {
    const s = await this.index.describeIndexStats();
    const namespaces = Object.fromEntries(Object.entries(s.namespaces ?? {}).map(([k, v]) => [k, v.recordCount ?? 0]));
    return { dimension: s.dimension ?? null, namespaces };
  }
}
