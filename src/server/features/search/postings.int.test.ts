import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempGitRepo } from "../../../../tests/support/git-repo";
import { scratchPostgres } from "../../../../tests/support/scratch-db";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { createLocalGitSource } from "@/server/adapters/repo-source/local-git";
import type { SqlRunner } from "@/server/adapters/db/sql";
import { createDeps, type Deps } from "@/server/deps";
import { indexRepo } from "@/server/features/repos/indexer/run";
import { searchCode, type SearchDeps } from "./code";
import { refreshPostings } from "./postings";
import type { CodeSearchInput } from "./schema";

/**
 * The postings in memory, on the embedded database and on Postgres (a database of its own, so no other
 * test's writes move them on): the same answers as the database's own indexes give, never staler than the
 * database, and at most one statement a search once they are up to date. The corpus
 * is this folder's own source, indexed by the real indexer from a git repository.
 */
const scratch = await scratchPostgres("test_scratch_postings");
const engine = scratch ? "Postgres" : "embedded database";
let deps: Deps;
let sql: SqlRunner;
const repo = new TempGitRepo();
const REPO = "local/search-source";
const OTHER = "local/other";
const view = { rawCode: true, highlight: true };

const here = path.dirname(new URL(import.meta.url).pathname);
const source = Object.fromEntries(
  readdirSync(here)
    .filter((f) => f.endsWith(".ts") && f !== path.basename(new URL(import.meta.url).pathname)) // not this file: it holds the words written below
    .map((f) => [`src/search/${f}`, readFileSync(path.join(here, f), "utf8")]),
);

/** The search as the database answers it: the same runner, without the notifications that let it hold postings. */
const fromDatabase = (): SearchDeps => ({ db: deps.db, database: { sql: { ...sql, listen: undefined } } });
const fromMemory = (): SearchDeps => ({ db: deps.db, database: deps.database });
const index = (id: string) => indexRepo({ db: deps.db, audit: deps.audit }, { source: createLocalGitSource(id, repo.dir), trigger: "cli", full: true });

const QUESTIONS = [
  "where is the glob turned into a regex",
  "proximity of question words in a chunk",
  "reciprocal rank fusion",
  "split camelCase identifiers into words",
  "symbolMatcher",
  "BM25 idf saturate",
  "which files does the path filter keep",
  "snippet highlight escape html",
  "unify the results of every source", // "unifi" begins the path word "unified" (a prefix match)
  "route a search request",
  "zzzz-not-a-word",
];
const inputs = (q: string): CodeSearchInput[] => [
  { q, limit: 10 },
  { q, limit: 10, cursor: 10 },
  { q, repo: REPO, limit: 10 },
  { q, language: "TypeScript", limit: 10 },
  { q, path: "src/search/*.test.ts", limit: 10 },
  { q, repo: OTHER, path: "**/rank*", limit: 5 },
];

describe(`code search postings in memory (${engine})`, () => {
  beforeAll(async () => {
    deps = await createDeps({
      env: parseEnv({ NODE_ENV: "test", DATA_DIR: mkdtempSync(path.join(tmpdir(), "oo-test-data-")) }),
      database: scratch ? { url: scratch.url } : { memory: true },
      kv: createKeyValueStore({}),
    });
    sql = deps.database.sql!;
    repo.write(source).commit("search source");
    await index(REPO);
    await index(OTHER);
  }, 120_000);
  afterAll(async () => {
    await deps?.database.close();
    await deps?.kv.close();
    await scratch?.drop();
    repo.cleanup();
  });

  it("answers every question exactly as the database's indexes do, with and without filters", async () => {
    expect(sql.inProcess).toBe(scratch ? undefined : true);
    expect(await refreshPostings(sql)).toBe(true);
    let found = 0;
    for (const q of QUESTIONS)
      for (const input of inputs(q)) {
        const expected = await searchCode(fromDatabase(), input, view);
        found += expected.results.length;
        expect(await searchCode(fromMemory(), input, view), JSON.stringify(input)).toEqual(expected);
      }
    expect(found).toBeGreaterThan(100);
  });

  it("sends no statement for a question asked before once the postings are up to date, and one for a new one (its stems)", async () => {
    const sent: string[] = [];
    const spied: SqlRunner = {
      ...sql,
      query: (text, params) => (sent.push(text), sql.query(text, params)),
      ...(sql.queryPlanned && { queryPlanned: (text, params) => (sent.push(text), sql.queryPlanned!(text, params)) }),
      ...(sql.queryPrepared && { queryPrepared: (text, params) => (sent.push(text), sql.queryPrepared!(text, params)) }),
    };
    await refreshPostings(spied); // a runner of its own holds postings of its own
    sent.length = 0;
    const ask = () => searchCode({ db: deps.db, database: { sql: spied } }, { q: "reciprocal rank fusion", limit: 10 }, view);
    expect((await ask()).results[0]?.path).toBe("src/search/rank.ts");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("to_tsvector");
    expect(await ask()).toEqual(await searchCode(fromDatabase(), { q: "reciprocal rank fusion", limit: 10 }, view));
    expect(sent).toHaveLength(1);

    // writes that change nothing a result shows leave the postings current: a repo's state, a registration
    // that finds the repo there already. A notification sent after them arrives after any they sent.
    await deps.db.repo.update({ where: { id: OTHER }, data: { indexState: "queued", indexLockExpiresAt: new Date() } });
    await deps.db.repo.createMany({ data: [{ id: OTHER, source: "local", defaultBranch: "main" }], skipDuplicates: true });
    let marker = false;
    const channel = `test_marker_${Date.now()}`;
    await sql.listen!(channel, () => void (marker = true));
    await sql.query(`SELECT pg_notify($1, '')`, [channel]);
    await sql.caughtUp?.(); // on Postgres: every notification sent before this call has arrived
    expect(marker).toBe(true);
    await ask();
    expect(sent).toHaveLength(1);
  });

  it("is never staler than the database: a write shows in the next search, and the postings catch up", async () => {
    await refreshPostings(sql);
    const q = { q: "quuxification frobnicator", repo: REPO, limit: 10 };
    const paths = async (input: CodeSearchInput) => (await searchCode(fromMemory(), input, view)).results.map((r) => `${r.repo}:${r.path}`);
    expect(await paths(q)).toEqual([]);

    repo.write({ "src/search/quux.ts": "/** Quuxification of the frobnicator. */\nexport function frobnicate() {\n  return 1;\n}\n" }).commit("quux");
    await index(REPO);
    // out of date: answered by the database (a rebuild starts in the background)
    expect(await paths(q)).toEqual([`${REPO}:src/search/quux.ts`]);
    await refreshPostings(sql);
    const current = await searchCode(fromMemory(), q, view);
    expect(current).toEqual(await searchCode(fromDatabase(), q, view));
    expect(current.results.map((r) => r.path)).toEqual(["src/search/quux.ts"]);

    await deps.db.repo.delete({ where: { id: REPO } }); // its files and chunks go by cascade
    expect(await paths(q)).toEqual([]);
    const rrf = { q: "reciprocal rank fusion", limit: 10 };
    expect((await paths(rrf)).every((p) => p.startsWith(`${OTHER}:`))).toBe(true);

    // a repo's own fields show as soon as they change, as its files do
    await refreshPostings(sql);
    const url = async () => (await searchCode(fromMemory(), rrf, view)).results[0]?.url ?? "";
    await deps.db.repo.update({ where: { id: OTHER }, data: { htmlUrl: "https://git.example.test/other" } });
    expect(await url()).toMatch(/^https:\/\/git\.example\.test\/other\/blob\//);
    await refreshPostings(sql);
    expect(await url()).toMatch(/^https:\/\/git\.example\.test\/other\/blob\//);
  });
});
