import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { hashedBagOfWords } from "../../../../tests/fakes/embedder";
import { matchesFilter } from "../../../../tests/fakes/pinecone";
import { testDatabaseUrl } from "../../../../tests/support/services";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { openDatabase, PrismaClient } from "../db";
import { createVectorStore, InvalidFilterError, PgVectorStore, vectorStoreKind } from "./index";
import type { VectorRecord } from "./types";

const DIMS = 256;
const vec = (text: string) => hashedBagOfWords(text, DIMS);
const env = parseEnv({ NODE_ENV: "test" });

const corpus: VectorRecord[] = [
  { id: "src/billing/invoice.ts#1", values: vec("create invoice charge customer billing"), metadata: { path: "src/billing/invoice.ts", language: "ts", startLine: 1, tags: ["billing", "money"] } },
  { id: "src/auth/login.ts#1", values: vec("login password session user"), metadata: { path: "src/auth/login.ts", language: "ts", startLine: 40, tags: ["auth"] } },
  { id: "docs/billing.md#1", values: vec("billing guide invoice"), metadata: { path: "docs/billing.md", language: "md", startLine: 1, tags: ["billing", "docs"] } },
  { id: "src/mail/send.py#1", values: vec("send email smtp message"), metadata: { path: "src/mail/send.py", language: "py", startLine: 12, tags: [] } },
];

// An in-memory PGlite with pgvector, as the embedded database opens it (the store needs none of the app's tables).
describe("pgvector store on PGlite", () => {
  let pglite: PGlite;
  let prisma: PrismaClient;
  let store: PgVectorStore;

  beforeAll(async () => {
    pglite = await PGlite.create({ extensions: { vector } });
    prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    expect(await vectorStoreKind(env, prisma)).toBe("pgvector");
    const created = await createVectorStore(env, prisma);
    expect(created?.kind).toBe("pgvector");
    store = created as PgVectorStore;
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await pglite.close();
  });

  it("answers nothing before the first upsert (no table yet)", async () => {
    expect(await store.dimensions()).toBeNull();
    expect(await store.query("empty", vec("anything"), { topK: 3 })).toEqual([]);
    await store.deleteIds("empty", ["x"]);
  });

  it("creates the table at the first upsert with the vectors' size, finds nearest neighbours by cosine, keeps metadata", async () => {
    await store.upsert("acme/web", corpus);
    expect(await store.dimensions()).toBe(DIMS);
    const hits = await store.query("acme/web", vec("where is the invoice billing"), { topK: 2 });
    expect(hits.map((h) => h.id)).toEqual(["docs/billing.md#1", "src/billing/invoice.ts#1"]);
    expect(hits[0]!.metadata).toEqual(corpus[2]!.metadata);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[0]!.score).toBeLessThanOrEqual(1);
  });

  it("keeps namespaces apart and upserts in place", async () => {
    await store.upsert("acme/api", [{ id: "src/billing/invoice.ts#1", values: vec("unrelated words entirely"), metadata: { path: "other" } }]);
    expect((await store.query("acme/api", vec("invoice"), { topK: 10 })).map((h) => h.metadata.path)).toEqual(["other"]);
    await store.upsert("acme/api", [{ id: "src/billing/invoice.ts#1", values: vec("invoice again"), metadata: { path: "updated" } }]);
    const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM code_vector WHERE namespace = 'acme/api'`);
    expect(rows[0]!.n).toBe(1);
    expect((await store.query("acme/api", vec("invoice"), { topK: 10 }))[0]!.metadata.path).toBe("updated");
    expect((await store.query("acme/web", vec("invoice"), { topK: 10 })).length).toBe(4);
  });

  it("applies Pinecone's filter language exactly as the Pinecone fake does", async () => {
    const filters: Record<string, unknown>[] = [
      { language: "ts" },
      { language: { $eq: "md" } },
      { language: { $ne: "ts" } },
      { language: { $in: ["py", "md"] } },
      { language: { $nin: ["py", "md"] } },
      { tags: "billing" },
      { tags: { $in: ["auth", "docs"] } },
      { startLine: { $gte: 12 } },
      { startLine: { $lt: 12, $gt: 0 } },
      { $or: [{ language: "py" }, { tags: "auth" }] },
      { $and: [{ tags: "billing" }, { language: "ts" }] },
      { missing: { $exists: false } },
      { path: { $exists: true }, language: "ts" },
    ];
    for (const filter of filters) {
      const got = (await store.query("acme/web", vec("billing"), { topK: 10, filter })).map((h) => h.id).sort();
      const expected = corpus
        .filter((r) => matchesFilter(r.metadata, filter))
        .map((r) => r.id)
        .sort();
      expect({ filter, ids: got }).toEqual({ filter, ids: expected });
    }
    await expect(store.query("acme/web", vec("x"), { topK: 1, filter: { language: { $regex: "t" } } })).rejects.toThrow(InvalidFilterError);
  });

  it("deletes by id and refuses a query of another dimension with a clear error", async () => {
    await store.deleteIds("acme/web", ["docs/billing.md#1", "src/auth/login.ts#1", "never-existed"]);
    expect((await store.query("acme/web", vec("billing"), { topK: 10 })).map((h) => h.id).sort()).toEqual(["src/billing/invoice.ts#1", "src/mail/send.py#1"]);
    await expect(store.query("acme/web", [1, 0, 0], { topK: 1 })).rejects.toThrow(/3 dimensions, the index holds 256/);
  });

  it("upserts 1,200 records (several statements, duplicates collapsed) and finds each by its own vector", async () => {
    const ns = `bulk-${randomUUID().slice(0, 6)}`;
    const records = Array.from({ length: 1200 }, (_, i) => ({ id: `f${i}`, values: vec(`module${i} function${i} handler${i}`), metadata: { i } }));
    await store.upsert(ns, [...records, records[0]!]);
    for (const i of [0, 599, 1199]) expect((await store.query(ns, records[i]!.values, { topK: 1 }))[0]!.id).toBe(`f${i}`);
    await store.deleteIds(
      ns,
      records.map((r) => r.id),
    );
    expect(await store.query(ns, records[0]!.values, { topK: 1 })).toEqual([]);
  });

  it("recreates the table when the embedding size changes", async () => {
    await store.upsert("acme/web", [{ id: "small", values: [0.1, 0.2, 0.3], metadata: {} }]);
    expect(await store.dimensions()).toBe(3);
    expect((await store.query("acme/web", [0.1, 0.2, 0.3], { topK: 5 })).map((h) => h.id)).toEqual(["small"]);
  });

  it("with an HNSW index (as on a real Postgres) finds neighbours and filters through it, per namespace", async () => {
    await prisma.$executeRawUnsafe(`DROP TABLE code_vector`);
    const hnsw = new PgVectorStore(prisma, { index: "hnsw" });
    await hnsw.upsert("acme/web", corpus);
    await hnsw.upsert(
      "acme/other",
      corpus.map((r) => ({ ...r, id: `other:${r.id}` })),
    );
    const indexes = await prisma.$queryRawUnsafe<{ indexdef: string }[]>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'code_vector'`);
    expect(indexes.some((i) => /USING hnsw/.test(i.indexdef))).toBe(true);
    const hits = await hnsw.query("acme/web", vec("where is the invoice billing"), { topK: 2 });
    expect(hits.map((h) => h.id)).toEqual(["docs/billing.md#1", "src/billing/invoice.ts#1"]);
    const py = await hnsw.query("acme/web", vec("invoice billing"), { topK: 3, filter: { language: "py" } });
    expect(py.map((h) => h.id)).toEqual(["src/mail/send.py#1"]);
  });
});

describe("createVectorStore on a Postgres without pgvector", () => {
  const url = testDatabaseUrl();
  // The system Postgres of the test tier has no pgvector; without TEST_DATABASE_URL only PGlite exists (tested above).
  it.skipIf(!url)("returns null, and vectorStoreKind says so", async () => {
    const database = await openDatabase({ url: url! });
    try {
      expect(await createVectorStore(env, database.prisma)).toBeNull();
      expect(await vectorStoreKind(env, database.prisma)).toBeNull();
    } finally {
      await database.close();
    }
  });
});
