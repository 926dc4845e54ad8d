// Ranking quality of code search against a BM25 baseline, on a real codebase that ships in node_modules:
// recall@10 and MRR over the questions of bench/search-eval.json, then search latency p50/p95 over 200
// queries. No embeddings: full-text only. Run: node bench/search-eval.mjs [--verbose]
// Uses a scratch database on $SEARCH_BENCH_DATABASE_URL's server (default the local Postgres), dropped at the end.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import MiniSearch from "minisearch";
import pg from "pg";
import { tsImport } from "tsx/esm/api";
import { listFiles, loadCorpus } from "./search-corpus.mjs";

const verbose = process.argv.includes("--verbose");
// --json <file>: the figures also as JSON (what `npm run gate` reads)
const jsonOut = process.argv.includes("--json") ? process.argv[process.argv.indexOf("--json") + 1] : null;
const figures = { sets: [], latency: null };
// The tuning set (openai's SDK) and a held-out set (next-auth) written after the weights were fixed.
const SETS = [
  { file: "./search-eval.json", repo: "bench/openai-node" },
  { file: "./search-eval-next-auth.json", repo: "bench/next-auth" },
].map((s) => ({ ...s, ...JSON.parse(readFileSync(new URL(s.file, import.meta.url), "utf8")) }));

// --db <url>: an existing database (kept, and the corpus reloaded only when missing) instead of a scratch one.
const keepUrl = process.argv.includes("--db") ? process.argv[process.argv.indexOf("--db") + 1] : null;
const base = new URL(process.env.SEARCH_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const dbName = `test_scratch_search_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: base.toString() });
await admin.connect();
if (!keepUrl) await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(keepUrl ?? base);
if (!keepUrl) url.pathname = `/${dbName}`;

const { openDatabase } = await tsImport("../src/server/adapters/db/index.ts", import.meta.url);
const { searchCode } = await tsImport("../src/server/features/search/code.ts", import.meta.url);
const database = await openDatabase({ url: url.toString() });
try {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  let t0;
  for (const set of SETS) {
    const root = path.resolve(set.corpus);
    t0 = performance.now();
    const present = keepUrl ? (await client.query(`SELECT count(*)::int AS n FROM "repo_file" WHERE "repo_id" = $1`, [set.repo])).rows[0].n : 0;
    const loaded = present > 0 ? { files: present, chunks: "(kept)" } : await loadCorpus(client, set.repo, root);
    await client.query("VACUUM ANALYZE");
    console.log(`corpus ${set.corpus}: ${loaded.files} files, ${loaded.chunks} chunks (loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  await client.end();

  for (const set of SETS) {
    const root = path.resolve(set.corpus);
    const bm25 = new MiniSearch({ fields: ["path", "content"], storeFields: ["path"] });
    bm25.addAll(listFiles(root).map((p, id) => ({ id, path: p, content: readFileSync(path.join(root, p), "utf8") })));
    const ours = async (q) => (await searchCode({ db: database.prisma }, { q, repo: set.repo, limit: 10 }, { rawCode: false, highlight: false })).results.map((r) => r.path);
    const theirs = async (q) => bm25.search(q).slice(0, 10).map((r) => r.path);
    const score = async (name, search) => {
      let recall = 0;
      let mrr = 0;
      for (const { q, expected } of set.questions) {
        const top = await search(q);
        recall += expected.filter((e) => top.includes(e)).length / expected.length;
        const first = top.findIndex((p) => expected.includes(p));
        mrr += first >= 0 ? 1 / (first + 1) : 0;
        if (verbose && first !== 0) console.log(`  ${name} [${first < 0 ? "miss" : first + 1}] ${q}\n     top: ${top.slice(0, 3).join(", ")}`);
      }
      const n = set.questions.length;
      return { name, recall: recall / n, mrr: mrr / n };
    };
    const rows = [await score("ours (full-text, no embeddings)", ours), await score("BM25 (minisearch, path + content)", theirs)];
    console.log(`\n${set.corpus}: ${set.questions.length} questions`);
    console.log("| ranker | recall@10 | MRR |\n|---|---|---|");
    for (const r of rows) console.log(`| ${r.name} | ${r.recall.toFixed(3)} | ${r.mrr.toFixed(3)} |`);
    figures.sets.push({ corpus: set.corpus, questions: set.questions.length, recallAt10: rows[0].recall, mrr: rows[0].mrr });
  }

  const all = SETS.flatMap((s) => s.questions.map((x) => ({ q: x.q, repo: s.repo })));
  const ours = async ({ q, repo }) => searchCode({ db: database.prisma }, { q, repo, limit: 10 }, { rawCode: false, highlight: false });
  const times = [];
  for (let i = 0; i < 200; i++) {
    t0 = performance.now();
    await ours(all[i % all.length]);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
  console.log(`\nsearch latency over 200 queries: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
  figures.latency = { queries: times.length, p50: Number(pct(50)), p95: Number(pct(95)) };
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(figures, null, 2));
} finally {
  await database.close();
  if (!keepUrl) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
