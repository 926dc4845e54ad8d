import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { appRouter } from "@/server/api/root";
import { handleRest } from "@/server/api/rest";
import type { Actor } from "@/server/core/auth/actor";
import { ROLE_PERMISSIONS, type Role, type Scope } from "@/server/core/auth/permissions";
import type { Embedder } from "@/server/adapters/embeddings/types";
import type { VectorMatch, VectorStore } from "@/server/adapters/vectors/types";
import { setDeps, type Deps } from "@/server/deps";
import { putEntry } from "@/server/features/context/service";
import { createContext } from "@/server/trpc/context";
import { searchCode } from "./code";
import { recall } from "./recall";

/** Code search, recall and /ai/search on the real Postgres, with fixtures written directly. */
let deps: Deps;
const tag = randomUUID().slice(0, 8);
const REPO = `acme-${tag}/shop`;
const OTHER = `acme-${tag}/other`;
const SHA = "0123456789abcdef0123456789abcdef01234567";

const user = (role: Role): Actor => ({ type: "user", id: randomUUID(), email: `${role}@test`, role, permissions: ROLE_PERMISSIONS[role] });
const apiKey = (scopes: Scope[]): Actor => ({ type: "api_key", id: "k", clientId: "gpt", keyId: "k", keyPrefix: "oo_k", scopes });
const caller = (actor: Actor, d: Deps = deps) => appRouter.createCaller(createContext({ deps: d, requestId: randomUUID(), surface: "trpc", ip: null, actor }));

interface Fixture {
  path: string;
  language: string;
  summary: string;
  symbols: string[];
  chunks: { start: number; symbol: string | null; content: string }[];
}
const FILES: Fixture[] = [
  {
    path: "src/billing/invoice-service.ts",
    language: "typescript",
    summary: "Creates invoices for orders and charges the customer's card.",
    symbols: ["createInvoice", "chargeCustomer"],
    chunks: [
      { start: 1, symbol: "createInvoice", content: "// <script>alert(1)</script> & friends\nexport function createInvoice(order: Order) {\n  return invoices.insert(order);\n}" },
      { start: 10, symbol: "chargeCustomer", content: "export async function chargeCustomer(card: Card) {\n  return gateway.charge(card);\n}" },
    ],
  },
  {
    path: "src/http/retry.ts",
    language: "typescript",
    summary: "HTTP helpers.",
    symbols: ["retryWithBackoff"],
    chunks: [
      {
        start: 1,
        symbol: "retryWithBackoff",
        content: "export async function retryWithBackoff(fn) {\n  // exponential backoff between attempts\n  for (let attempt = 0; attempt < 5; attempt++) await sleep(2 ** attempt);\n}",
      },
    ],
  },
  {
    path: "src/util/strings.ts",
    language: "typescript",
    summary: "String helpers.",
    symbols: ["padLeft"],
    chunks: [{ start: 1, symbol: "padLeft", content: "// used to format invoice numbers, among others\nexport const padLeft = (s: string, n: number) => s.padStart(n);" }],
  },
  {
    path: "docs/billing.md",
    language: "markdown",
    summary: "How billing works.",
    symbols: [],
    chunks: [{ start: 1, symbol: null, content: "# Billing\nEvery order gets an invoice at checkout." }],
  },
  {
    path: "lib/parse_config.py",
    language: "python",
    summary: "Reads the YAML settings.",
    symbols: ["load_settings"],
    chunks: [{ start: 1, symbol: "load_settings", content: "def load_settings(path):\n    return yaml.safe_load(open(path))" }],
  },
];
const chunkId = (repo: string, path: string, start: number) => `${repo}:${path}:${start}`;

async function insertRepo(id: string, files: Fixture[]) {
  await deps.db.repo.create({ data: { id, source: "github", defaultBranch: "main", htmlUrl: `https://github.com/${id}`, indexedSha: SHA, indexState: "ready" } });
  for (const f of files) {
    await deps.db.repoFile.create({ data: { repoId: id, path: f.path, blobSha: "b", language: f.language, size: 200, summarySource: "extractive", summary: f.summary, symbols: f.symbols } });
    for (const c of f.chunks) {
      const endLine = c.start + c.content.split("\n").length - 1;
      await deps.db.codeChunk.create({
        data: {
          id: chunkId(id, f.path, c.start),
          repoId: id,
          path: f.path,
          blobSha: "b",
          startLine: c.start,
          endLine,
          kind: c.symbol ? "declaration" : "window",
          symbol: c.symbol,
          language: f.language,
          content: c.content,
        },
      });
    }
  }
  await deps.db.folderSummary.create({ data: { repoId: id, path: "src/billing", summary: "Billing: invoices, charges and refunds.", fileCount: 1 } });
}

const code = (q: string, extra: Record<string, unknown> = {}, actor: Actor = apiKey(["github:read"])) => caller(actor).search.code({ q, repo: REPO, ...extra });

describe("code search", () => {
  beforeAll(async () => {
    deps = await testDeps();
    setDeps(deps);
    await insertRepo(REPO, FILES);
    await insertRepo(OTHER, [FILES[0]!]);
  });
  afterAll(async () => {
    await deps.db.repo.deleteMany({ where: { id: { in: [REPO, OTHER] } } });
    await deps.events.close();
    await closeDeps(deps);
  });

  it("ranks the file whose path, symbols and code match above one that mentions the word once", async () => {
    const out = await code("where are invoices created?");
    expect(out.mode).toBe("fulltext");
    expect(out.results.map((r) => r.path).slice(0, 2)).toEqual(["src/billing/invoice-service.ts", "docs/billing.md"]);
    const top = out.results[0]!;
    expect(top).toMatchObject({ repo: REPO, startLine: 1, endLine: 4, symbol: "createInvoice", summary: FILES[0]!.summary, language: "typescript" });
    expect(top.retrievers).toEqual(expect.arrayContaining(["fulltext", "path", "symbol", "summary"]));
    expect(top.url).toBe(`https://github.com/${REPO}/blob/${SHA}/src/billing/invoice-service.ts#L1-L4`);
    expect(out.results.map((r) => r.path)).toContain("src/util/strings.ts");
    expect(out.results.findIndex((r) => r.path === "src/util/strings.ts")).toBeGreaterThan(0);
  });

  it("splits camelCase and snake_case identifiers and stems words", async () => {
    expect((await code("retries with backoff")).results[0]?.path).toBe("src/http/retry.ts");
    expect((await code("parse config")).results[0]?.path).toBe("lib/parse_config.py");
    expect((await code("loadSettings")).results[0]).toMatchObject({ path: "lib/parse_config.py", symbol: "load_settings" });
  });

  it("filters by repo, language and path glob", async () => {
    const everywhere = await caller(apiKey(["github:read"])).search.code({ q: "createInvoice" });
    expect(everywhere.results.map((r) => r.repo)).toEqual(expect.arrayContaining([REPO, OTHER]));
    expect((await code("invoice", { language: "markdown" })).results.map((r) => r.path)).toEqual(["docs/billing.md"]);
    expect((await code("invoice", { path: "src/**" })).results.every((r) => r.path.startsWith("src/"))).toBe(true);
    expect((await code("invoice", { path: "*.md" })).results.map((r) => r.path)).toEqual(["docs/billing.md"]);
    expect((await code("invoice", { path: "src/util" })).results.map((r) => r.path)).toEqual(["src/util/strings.ts"]);
    expect((await code("invoice", { path: "src/*.ts" })).results).toEqual([]);
  });

  it("pages with a cursor", async () => {
    const first = await code("invoice", { limit: 1 });
    expect(first.results).toHaveLength(1);
    expect(first.nextCursor).toBe(1);
    const second = await code("invoice", { limit: 1, cursor: first.nextCursor });
    expect(second.results[0]!.path).not.toBe(first.results[0]!.path);
  });

  it("API keys get no code text unless AI_RAW_CODE=allow", async () => {
    const denied = await code("createInvoice");
    expect(denied.results[0]).toMatchObject({ content: null, snippet: null });
    expect(JSON.stringify(denied)).not.toContain("invoices.insert");
    const allowing = { ...deps, env: { ...deps.env, AI_RAW_CODE: "allow" as const } };
    const allowed = await caller(apiKey(["github:read"]), allowing).search.code({ q: "createInvoice", repo: REPO });
    expect(allowed.results[0]!.content).toContain("invoices.insert(order)");
  });

  it("shows a local checkout's disk path to dashboard users, never to API keys", async () => {
    await deps.db.repo.update({ where: { id: REPO }, data: { localPath: "/srv/checkouts/shop" } });
    try {
      const byKey = await code("createInvoice");
      expect(byKey.results.length).toBeGreaterThan(0);
      expect(byKey.results.every((r) => r.localPath === null)).toBe(true);
      expect(JSON.stringify(byKey)).not.toContain("/srv/checkouts");
      const byUser = await code("createInvoice", {}, user("viewer"));
      expect(byUser.results[0]!.localPath).toBe(`/srv/checkouts/shop/${byUser.results[0]!.path}`);
    } finally {
      await deps.db.repo.update({ where: { id: REPO }, data: { localPath: null } });
    }
  });

  it("dashboard users get escaped snippets with highlighted matches", async () => {
    const out = await code("createInvoice", {}, user("viewer"));
    const snippet = out.results[0]!.snippet!;
    expect(snippet.startLine).toBe(1);
    expect(snippet.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends");
    expect(snippet.html).not.toContain("<script>");
    expect(snippet.html).toContain("export function <mark>createInvoice</mark>(order: Order)");
    expect(out.results[0]!.content).toBeNull();
  });

  it("fuses full-text with vector similarity by reciprocal rank", async () => {
    const embedder: Embedder = { model: "fake", dimensions: 2, embed: async (texts) => ({ vectors: texts.map(() => [1, 0]), tokens: texts.length }) };
    const queried: string[] = [];
    const vectors: VectorStore = {
      kind: "pgvector",
      upsert: async () => {},
      deleteIds: async () => {},
      query: async (namespace): Promise<VectorMatch[]> => {
        queried.push(namespace);
        return [
          { id: chunkId(REPO, "src/util/strings.ts", 1), score: 0.9, metadata: {} },
          { id: "not-a-chunk", score: 0.8, metadata: { path: "lib/parse_config.py", startLine: 1, endLine: 2 } },
        ];
      },
    };
    const out = await searchCode({ db: deps.db, semantic: { embedder, vectors } }, { q: "invoice", repo: REPO, limit: 10 }, { rawCode: false, highlight: false });
    expect(queried).toEqual([REPO]);
    expect(out.mode).toBe("hybrid");
    const ft = await searchCode({ db: deps.db }, { q: "invoice", repo: REPO, limit: 10 }, { rawCode: false, highlight: false });
    const ftRank = (p: string) => ft.results.findIndex((r) => r.path === p) + 1;
    const rrf = (ranks: number[]) => ranks.filter((r) => r > 0).reduce((s, r) => s + 1 / (60 + r), 0);
    const expected = new Map([
      ["src/util/strings.ts", rrf([ftRank("src/util/strings.ts"), 1])],
      ["lib/parse_config.py", rrf([2])],
      ...ft.results.filter((r) => !["src/util/strings.ts"].includes(r.path)).map((r) => [r.path, rrf([ftRank(r.path)])] as [string, number]),
    ]);
    for (const r of out.results) expect(r.score).toBeCloseTo(expected.get(r.path)!, 5);
    expect(out.results[0]!.path).toBe("src/util/strings.ts");
    expect(out.results[0]!.retrievers).toEqual(expect.arrayContaining(["fulltext", "vector"]));
    expect(out.results.find((r) => r.path === "lib/parse_config.py")).toMatchObject({ retrievers: ["vector"], startLine: 1, endLine: 2 });
  });

  it("answers the same through the database's plain SQL runner as through Prisma (the embedded database's path)", async () => {
    const view = { rawCode: true, highlight: true };
    for (const input of [
      { q: "invoice order", repo: REPO, limit: 10 },
      { q: "retry backoff attempts", limit: 10 },
      { q: "invoice", repo: REPO, language: "TypeScript", path: "src/**", limit: 10 },
      { q: "invoice numbers", repo: REPO, limit: 1, cursor: 1 },
    ]) {
      const viaPrisma = await searchCode({ db: deps.db }, input, view);
      expect(viaPrisma.results.length).toBeGreaterThan(0);
      expect(await searchCode({ db: deps.db, database: deps.database }, input, view)).toEqual(viaPrisma);
    }
    const question = { q: "where is billing handled?", repo: REPO, limit: 10 };
    expect(await recall({ db: deps.db, database: deps.database }, question)).toEqual(await recall({ db: deps.db }, question));
  });

  it("asking the database, sends its statements prepared (named on Postgres, planned once on PGlite), none as plain text", async () => {
    // without `listen`, no postings in memory (postings.int.test.ts): every search asks the database
    const sql = { ...deps.database.sql!, listen: undefined };
    const sent = { plain: 0, prepared: 0 };
    const counted = (name: "queryPrepared" | "queryPlanned") =>
      sql[name] && {
        [name]: <T>(text: string, params: Parameters<NonNullable<typeof sql.queryPrepared>>[1]) => {
          sent.prepared++;
          return sql[name]!<T>(text, params);
        },
      };
    const spied = {
      ...sql,
      query: <T>(text: string, params?: unknown[]) => {
        sent.plain++;
        return sql.query<T>(text, params);
      },
      ...counted("queryPrepared"),
      ...counted("queryPlanned"),
    };
    const out = await searchCode({ db: deps.db, database: { sql: spied } }, { q: "invoice order customer", repo: REPO, limit: 10 }, { rawCode: false, highlight: true });
    expect(out.results.length).toBeGreaterThan(0);
    expect(sent).toEqual({ plain: 0, prepared: 2 }); // the candidates, then the leading files' text with the page's details
  });

  it("recalls folders and files by their summaries", async () => {
    const out = await recall({ db: deps.db }, { q: "where is billing handled?", repo: REPO, limit: 10 });
    expect(out.mode).toBe("fulltext");
    expect(out.results.map((r) => `${r.kind}:${r.path}`)).toEqual(expect.arrayContaining(["folder:src/billing", "file:docs/billing.md", "file:src/billing/invoice-service.ts"]));
    expect(out.results.every((r) => r.repo === REPO && r.retrievers.includes("fulltext"))).toBe(true);
  });

  it("/ai/search returns typed code, audit and context results, skipping sources the key cannot read", async () => {
    const scope = `repo:search/${tag}`;
    await putEntry(deps, { actor: user("operator"), requestId: randomUUID(), surface: "trpc" }, { scope, key: `invoice-${tag}`, value: { note: "invoice numbering changed" } });
    const all = await caller(apiKey(["search:read", "github:read", "audit:read", "context:read"])).search.all({ q: `invoice ${tag}` });
    expect(all.searched).toEqual(["code", "audit", "context"]);
    const types = new Set(all.results.map((r) => r.type));
    expect(types).toEqual(new Set(["code", "audit", "context"]));
    const ctx = all.results.find((r) => r.type === "context");
    expect(ctx).toMatchObject({ type: "context", context: { scope, key: `invoice-${tag}`, version: 1 } });
    const audit = all.results.find((r) => r.type === "audit");
    expect(audit).toMatchObject({ type: "audit", audit: { action: "context.put", target: `${scope}/invoice-${tag}` } });

    const codeOnly = await caller(apiKey(["search:read", "github:read"])).search.all({ q: "invoice" });
    expect(codeOnly.searched).toEqual(["code"]);
    expect(codeOnly.results.every((r) => r.type === "code")).toBe(true);
  });

  it("REST: 200 without code text, 403 without the scope, 400 on an empty query", async () => {
    const get = async (path: string, key: string) => {
      const res = await handleRest(new Request(`http://test.local/ai${path}`, { headers: { "x-api-key": key } }));
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const reader = (await makeKey(deps, ["github:read"])).key;
    const other = (await makeKey(deps, ["context:read"])).key;
    const ok = await get(`/github/search?q=createInvoice&repo=${encodeURIComponent(REPO)}`, reader);
    expect(ok.status).toBe(200);
    expect(JSON.stringify(ok.body)).not.toContain("invoices.insert");
    expect((await get("/github/recall?q=billing", reader)).status).toBe(200);
    const denied = await get("/github/search?q=invoice", other);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect((await get("/search?q=invoice", reader)).status).toBe(403);
    expect((await get("/github/search?q=", reader)).status).toBe(400);
  });

  it("repo index: lists counts and queues a dashboard reindex for operators only", async () => {
    const { repos, canReindex } = await caller(user("operator")).repoIndex.list({});
    expect(canReindex).toBe(true);
    expect(repos.find((r) => r.id === REPO)).toMatchObject({ files: 5, chunks: 6, indexedSha: SHA, lastRun: null });
    const queued = await caller(user("operator")).repoIndex.reindex({ repo: REPO });
    expect(queued.alreadyQueued).toBe(false);
    expect(await deps.db.indexRun.findUnique({ where: { id: queued.runId } })).toMatchObject({ trigger: "dashboard", status: "queued", repoId: REPO });
    expect((await caller(user("operator")).repoIndex.reindex({ repo: REPO })).alreadyQueued).toBe(true);
    const audited = await deps.db.auditEvent.findFirst({ where: { action: "repos.reindex", target: REPO } });
    expect(audited?.detail).toMatchObject({ runId: queued.runId });
    await expect(caller(user("viewer")).repoIndex.reindex({ repo: REPO })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller(apiKey(["admin"])).repoIndex.reindex({ repo: REPO })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await caller(user("viewer")).repoIndex.list({})).canReindex).toBe(false);
  });
});
