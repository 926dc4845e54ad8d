import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { hashedBagOfWords } from "../../../../tests/fakes/embedder";
import { LIMITS, startPineconeFake, type PineconeFake } from "../../../../tests/fakes/pinecone";
import type { Db } from "../db";
import { createVectorStore, InvalidVectorRecordError, PineconeVectorStore, vectorStoreKind } from "./index";
import type { VectorRecord } from "./types";

const KEY = "pc-test-key";
const INDEX = "code";
const DIMS = 256;
const noDb = {} as Db; // Pinecone never touches the database
const vec = (text: string) => hashedBagOfWords(text, DIMS);

describe("Pinecone vector store (against a local fake of its REST API)", () => {
  let fake: PineconeFake;
  let store: PineconeVectorStore;
  let ns: string;

  beforeAll(async () => {
    fake = await startPineconeFake({ apiKey: KEY, index: INDEX, dimension: DIMS });
    const env = parseEnv({ NODE_ENV: "test", PINECONE_API_KEY: KEY, PINECONE_INDEX: INDEX, PINECONE_API_URL: fake.url });
    expect(await vectorStoreKind(env, noDb)).toBe("pinecone");
    store = (await createVectorStore(env, noDb, { retry: { baseDelayMs: 5 } })) as PineconeVectorStore;
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    ns = `acme/web-${randomUUID().slice(0, 8)}`;
    fake.calls.length = 0;
    fake.requests.length = 0;
  });

  it("looks the index host up on the control plane once, then upserts, queries nearest with metadata, and deletes", async () => {
    const records: VectorRecord[] = [
      { id: "src/billing/invoice.ts#1", values: vec("create invoice charge customer billing"), metadata: { path: "src/billing/invoice.ts", language: "ts" } },
      { id: "src/auth/login.ts#1", values: vec("login password session user"), metadata: { path: "src/auth/login.ts", language: "ts" } },
      { id: "docs/billing.md#1", values: vec("billing guide invoice"), metadata: { path: "docs/billing.md", language: "md" } },
    ];
    await store.upsert(ns, records);
    expect(fake.requests.filter((r) => r.startsWith("GET /indexes/")).length).toBeLessThanOrEqual(1);
    expect(fake.calls.every((c) => c.apiVersion && /^\d{4}-\d{2}$/.test(c.apiVersion))).toBe(true);

    const hits = await store.query(ns, vec("where is the invoice billing"), { topK: 2 });
    expect(hits.map((h) => h.id)).toEqual(["docs/billing.md#1", "src/billing/invoice.ts#1"]);
    expect(hits[0]!.metadata).toEqual({ path: "docs/billing.md", language: "md" });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);

    const tsOnly = await store.query(ns, vec("where is the invoice billing"), { topK: 5, filter: { language: { $eq: "ts" } } });
    expect(tsOnly.map((h) => h.id)).toEqual(["src/billing/invoice.ts#1", "src/auth/login.ts#1"]);

    await store.deleteIds(ns, ["docs/billing.md#1", "src/auth/login.ts#1"]);
    expect((await store.query(ns, vec("billing"), { topK: 10 })).map((h) => h.id)).toEqual(["src/billing/invoice.ts#1"]);
    expect((await store.stats()).namespaces[ns]).toBe(1);
  });

  it("upserts 2,500 records in at least 3 requests, each within 1,000 records and 2 MB", async () => {
    const records = Array.from({ length: 2500 }, (_, i) => ({
      id: `src/file${i}.ts#chunk`,
      values: vec(`file ${i} handler`),
      metadata: { path: `src/file${i}.ts`, summary: `Handles request ${i}. `.repeat(60) },
    }));
    await store.upsert(ns, records);
    const upserts = fake.calls.filter((c) => c.path === "/vectors/upsert");
    expect(upserts.length).toBeGreaterThanOrEqual(3);
    for (const u of upserts) {
      expect(u.bytes).toBeLessThanOrEqual(LIMITS.requestBytes);
      expect((u.body.vectors as unknown[]).length).toBeLessThanOrEqual(1000);
      expect(u.body.namespace).toBe(ns);
    }
    expect(fake.namespaces.get(ns)?.size).toBe(2500);
  });

  it("splits by bytes when records are large: 1,000 records of ~30 KB metadata need many requests", async () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ id: `big${i}`, values: vec(`big ${i}`), metadata: { text: "x".repeat(30_000) } }));
    await store.upsert(ns, records);
    const upserts = fake.calls.filter((c) => c.path === "/vectors/upsert");
    expect(upserts.length).toBeGreaterThanOrEqual(15);
    expect(Math.max(...upserts.map((u) => u.bytes))).toBeLessThanOrEqual(LIMITS.requestBytes);
    expect(fake.namespaces.get(ns)?.size).toBe(1000);
  });

  it("trims oversize metadata under 40 KB instead of failing the batch", async () => {
    await store.upsert(ns, [{ id: "huge", values: vec("huge summary"), metadata: { path: "src/huge.ts", summary: "long words ".repeat(10_000), line: 3 } }]);
    const stored = fake.namespaces.get(ns)!.get("huge")!;
    expect(Buffer.byteLength(JSON.stringify(stored.metadata))).toBeLessThanOrEqual(LIMITS.metadataBytes);
    expect(stored.metadata).toMatchObject({ path: "src/huge.ts", line: 3 });
    expect(String(stored.metadata!.summary).startsWith("long words long words")).toBe(true);
  });

  it("rejects an id over 512 characters with a clear error before sending anything", async () => {
    const bad = { id: `src/${"deep/".repeat(120)}file.ts`, values: vec("x"), metadata: {} };
    await expect(store.upsert(ns, [{ id: "ok", values: vec("ok"), metadata: {} }, bad])).rejects.toThrow(InvalidVectorRecordError);
    await expect(store.upsert(ns, [bad])).rejects.toThrow(/over the limit of 512/);
    await expect(store.deleteIds(ns, [bad.id])).rejects.toThrow(/over the limit of 512/);
    expect(fake.calls.filter((c) => c.path === "/vectors/upsert")).toHaveLength(0);
  });

  it("deletes 2,500 ids in batches of at most 1,000", async () => {
    const records = Array.from({ length: 2500 }, (_, i) => ({ id: `d${i}`, values: vec(`d ${i}`), metadata: {} }));
    await store.upsert(ns, records);
    await store.deleteIds(
      ns,
      records.map((r) => r.id),
    );
    const deletes = fake.calls.filter((c) => c.path === "/vectors/delete");
    expect(deletes.length).toBe(3);
    expect(deletes.every((d) => (d.body.ids as string[]).length <= 1000)).toBe(true);
    expect(fake.namespaces.get(ns)?.size ?? 0).toBe(0);
  });

  it("retries 429 and 5xx answers, surfaces a 400 at once", async () => {
    fake.failures.push({ status: 429, retryAfter: "0" }, { status: 503 });
    await store.upsert(ns, [{ id: "a", values: vec("a"), metadata: {} }]);
    expect(fake.calls.filter((c) => c.path === "/vectors/upsert")).toHaveLength(3);
    expect(fake.namespaces.get(ns)?.has("a")).toBe(true);

    fake.failures.push({ status: 400 });
    await expect(store.query(ns, vec("a"), { topK: 1 })).rejects.toThrow(/scripted 400/);
    expect(fake.calls.filter((c) => c.path === "/query")).toHaveLength(1);
  });

  it("uses PINECONE_INDEX_HOST without a control-plane lookup", async () => {
    const env = parseEnv({ NODE_ENV: "test", PINECONE_API_KEY: KEY, PINECONE_INDEX: `other-${randomUUID().slice(0, 6)}`, PINECONE_API_URL: "http://127.0.0.1:9", PINECONE_INDEX_HOST: fake.url });
    const direct = (await createVectorStore(env, noDb))!;
    await direct.upsert(ns, [{ id: "direct", values: vec("direct"), metadata: { path: "a" } }]);
    expect(fake.requests.some((r) => r.startsWith("GET /indexes/"))).toBe(false);
    expect((await direct.query(ns, vec("direct"), { topK: 1 }))[0]!.id).toBe("direct");
  });

  it("the fake refuses what Pinecone refuses (so the batching tests above mean something)", async () => {
    const post = (body: unknown) => fetch(`${fake.url}/vectors/upsert`, { method: "POST", headers: { "api-key": KEY, "content-type": "application/json" }, body: JSON.stringify(body) });
    const small = (i: number) => ({ id: `v${i}`, values: vec(String(i)) });
    expect((await post({ namespace: ns, vectors: Array.from({ length: 1001 }, (_, i) => small(i)) })).status).toBe(400);
    expect((await post({ namespace: ns, vectors: [{ ...small(1), metadata: { t: "x".repeat(41_000) } }] })).status).toBe(400);
    expect((await post({ namespace: ns, vectors: [{ ...small(1), id: "i".repeat(513) }] })).status).toBe(400);
    const big = Array.from({ length: 80 }, (_, i) => ({ ...small(i), metadata: { t: "x".repeat(30_000) } }));
    expect((await post({ namespace: ns, vectors: big })).status).toBe(400);
    expect((await post({ namespace: ns, vectors: [small(1)] })).status).toBe(200);
  });
});
