import type { IncomingMessage } from "node:http";
import { sendJson, startFake, type FakeServer } from "./http";

/**
 * A local fake of Pinecone's REST API as @pinecone-database/pinecone 8 speaks it (header `Api-Key`,
 * `X-Pinecone-Api-Version`), with the data plane and the control plane on one server:
 *   GET  /indexes/{name}         → { name, dimension, metric, host, status, ... }
 *   POST /vectors/upsert         { vectors: [{id, values, metadata}], namespace } → { upsertedCount }
 *   POST /query                  { vector, topK, namespace, filter, includeMetadata, includeValues } → { matches, namespace, usage }
 *   POST /vectors/delete         { ids | filter | deleteAll, namespace } → {}
 *   POST /describe_index_stats   → { namespaces: {ns: {vectorCount}}, dimension, totalVectorCount, ... }
 * Pinecone's documented limits answer 400 as the service does: request over 2 MB, more than 1,000
 * vectors per upsert or ids per delete, metadata over 40 KB per record, ids over 512 characters,
 * values of the wrong dimension. The real control plane answers a host without scheme (the SDK adds
 * https://); this one answers `http://127.0.0.1:<port>`, which the SDK uses as given.
 */
type Metadata = Record<string, unknown>;
interface StoredVector {
  id: string;
  values: number[];
  metadata?: Metadata;
}

export interface PineconeFake extends FakeServer {
  index: string;
  dimension: number;
  namespaces: Map<string, Map<string, StoredVector>>;
  /** Parsed data-plane requests with their size in bytes and the API version header. */
  calls: Array<{ path: string; bytes: number; apiVersion: string | undefined; body: Record<string, unknown> }>;
  /** Next requests answer these statuses (e.g. 429 with Retry-After), in order. */
  failures: Array<{ status: number; retryAfter?: string }>;
}

export const LIMITS = { requestBytes: 2 * 1024 * 1024, vectorsPerUpsert: 1000, idsPerDelete: 1000, metadataBytes: 40 * 1024, idLength: 512 };

const bad = (message: string) => ({ code: 3, message, details: [] });

function cosine(a: number[], b: number[]): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Pinecone's filter semantics: on a list field, $eq/$in match when any element does. */
export function matchesFilter(metadata: Metadata, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === "$and") return (cond as Record<string, unknown>[]).every((f) => matchesFilter(metadata, f));
    if (key === "$or") return (cond as Record<string, unknown>[]).some((f) => matchesFilter(metadata, f));
    const value = metadata[key];
    const ops = cond !== null && typeof cond === "object" && !Array.isArray(cond) ? (cond as Record<string, unknown>) : { $eq: cond };
    const has = (x: unknown) => (Array.isArray(value) ? value.includes(x) : value === x);
    return Object.entries(ops).every(([op, arg]) => {
      switch (op) {
        case "$eq":
          return has(arg);
        case "$ne":
          return !has(arg);
        case "$in":
          return (arg as unknown[]).some(has);
        case "$nin":
          return !(arg as unknown[]).some(has);
        case "$exists":
          return (value !== undefined) === Boolean(arg);
        case "$gt":
          return typeof value === "number" && value > (arg as number);
        case "$gte":
          return typeof value === "number" && value >= (arg as number);
        case "$lt":
          return typeof value === "number" && value < (arg as number);
        case "$lte":
          return typeof value === "number" && value <= (arg as number);
        default:
          throw new Error(`unknown filter operator ${op}`);
      }
    });
  });
}

export async function startPineconeFake(cfg: { apiKey: string; index: string; dimension: number }): Promise<PineconeFake> {
  const fake = (await startFake((req, res, raw, url) => {
    if (req.headers["api-key"] !== cfg.apiKey) return sendJson(res, 401, { code: 16, message: "Invalid API Key", details: [] });
    if (req.method === "GET" && url.pathname.startsWith("/indexes/")) {
      if (decodeURIComponent(url.pathname.slice("/indexes/".length)) !== cfg.index)
        return sendJson(res, 404, { error: { code: "NOT_FOUND", message: `Resource ${url.pathname.slice(9)} not found` }, status: 404 });
      return sendJson(res, 200, {
        name: cfg.index,
        dimension: cfg.dimension,
        metric: "cosine",
        host: fake.url,
        vector_type: "dense",
        deletion_protection: "disabled",
        spec: { serverless: { cloud: "aws", region: "us-east-1" } },
        status: { ready: true, state: "Ready" },
      });
    }
    const bytes = Buffer.byteLength(raw, "utf8");
    if (bytes > LIMITS.requestBytes) return sendJson(res, 400, bad(`Request size ${bytes} bytes exceeds the maximum supported size of ${LIMITS.requestBytes} bytes`));
    let body: Record<string, unknown>;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return sendJson(res, 400, bad("Invalid request body: not JSON"));
    }
    fake.calls.push({ path: url.pathname, bytes, apiVersion: header(req, "x-pinecone-api-version"), body });
    const failure = fake.failures.shift();
    if (failure) return sendJson(res, failure.status, bad(`scripted ${failure.status}`), failure.retryAfter ? { "retry-after": failure.retryAfter } : {});
    const ns = typeof body.namespace === "string" ? body.namespace : "";
    if (req.method !== "POST") return sendJson(res, 404, bad("Not found"));
    switch (url.pathname) {
      case "/vectors/upsert":
        return upsert(ns, body.vectors, res);
      case "/query":
        return query(ns, body, res);
      case "/vectors/delete":
        return remove(ns, body, res);
      case "/describe_index_stats": {
        const namespaces = Object.fromEntries([...fake.namespaces].filter(([, m]) => m.size > 0).map(([k, m]) => [k, { vectorCount: m.size }]));
        const total = Object.values(namespaces).reduce((n, s) => n + s.vectorCount, 0);
        return sendJson(res, 200, { namespaces, dimension: cfg.dimension, indexFullness: 0, totalVectorCount: total, metric: "cosine", vectorType: "dense" });
      }
      default:
        return sendJson(res, 404, bad("Not found"));
    }
  })) as PineconeFake;

  function upsert(ns: string, vectors: unknown, res: Parameters<typeof sendJson>[0]) {
    if (!Array.isArray(vectors) || vectors.length === 0) return sendJson(res, 400, bad("Invalid request: vectors must be a non-empty list"));
    if (vectors.length > LIMITS.vectorsPerUpsert) return sendJson(res, 400, bad(`Exceeded the maximum of ${LIMITS.vectorsPerUpsert} vectors per upsert request, got ${vectors.length}`));
    for (const v of vectors as StoredVector[]) {
      if (typeof v.id !== "string" || v.id.length === 0 || v.id.length > LIMITS.idLength)
        return sendJson(res, 400, bad(`Vector ID must be 1 to ${LIMITS.idLength} characters, got ${String(v.id).length}`));
      if (!Array.isArray(v.values) || v.values.length !== cfg.dimension)
        return sendJson(res, 400, bad(`Vector dimension ${v.values?.length ?? 0} does not match the dimension of the index ${cfg.dimension}`));
      const size = v.metadata ? Buffer.byteLength(JSON.stringify(v.metadata), "utf8") : 0;
      if (size > LIMITS.metadataBytes) return sendJson(res, 400, bad(`Metadata size is ${size} bytes, which exceeds the limit of ${LIMITS.metadataBytes} bytes per vector`));
    }
    const store = fake.namespaces.get(ns) ?? new Map<string, StoredVector>();
    fake.namespaces.set(ns, store);
    for (const v of vectors as StoredVector[]) store.set(v.id, { id: v.id, values: v.values, metadata: v.metadata });
    return sendJson(res, 200, { upsertedCount: vectors.length });
  }

  function query(ns: string, body: Record<string, unknown>, res: Parameters<typeof sendJson>[0]) {
    const vector = body.vector as number[] | undefined;
    const topK = body.topK as number;
    if (!Number.isInteger(topK) || topK < 1 || topK > 10_000) return sendJson(res, 400, bad("topK must be between 1 and 10000"));
    if (!Array.isArray(vector) || vector.length !== cfg.dimension)
      return sendJson(res, 400, bad(`Query vector dimension ${vector?.length ?? 0} does not match the dimension of the index ${cfg.dimension}`));
    const filter = body.filter as Record<string, unknown> | undefined;
    const matches = [...(fake.namespaces.get(ns)?.values() ?? [])]
      .filter((v) => !filter || matchesFilter(v.metadata ?? {}, filter))
      .map((v) => ({ id: v.id, score: cosine(vector, v.values), values: body.includeValues ? v.values : [], ...(body.includeMetadata && v.metadata ? { metadata: v.metadata } : {}) }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, topK);
    return sendJson(res, 200, { results: [], matches, namespace: ns, usage: { readUnits: 5 } });
  }

  function remove(ns: string, body: Record<string, unknown>, res: Parameters<typeof sendJson>[0]) {
    const store = fake.namespaces.get(ns);
    if (body.deleteAll) {
      fake.namespaces.delete(ns);
      return sendJson(res, 200, {});
    }
    if (Array.isArray(body.ids)) {
      if (body.ids.length > LIMITS.idsPerDelete) return sendJson(res, 400, bad(`Exceeded the maximum of ${LIMITS.idsPerDelete} ids per delete request, got ${body.ids.length}`));
      for (const id of body.ids as string[]) store?.delete(id);
      return sendJson(res, 200, {});
    }
    if (body.filter && store) {
      for (const [id, v] of store) if (matchesFilter(v.metadata ?? {}, body.filter as Record<string, unknown>)) store.delete(id);
    }
    return sendJson(res, 200, {});
  }

  Object.assign(fake, { index: cfg.index, dimension: cfg.dimension, namespaces: new Map(), calls: [], failures: [] });
  return fake;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
