#!/usr/bin/env node
// What a search costs in-process, part by part: this checkout indexed as `orchestrator index` would, then
// the bench's ten questions in turn at 10 in flight through the REST handler (as Next's route handler calls
// it), through the service alone, and the answer's validation and serialization, printing CPU per call.
// The difference between the REST line and the service line is what the request path adds to a search.
// On Postgres each line also says what the database's backends spent (from /proc, in 10-ms ticks: a
// rough figure, worth reading over many calls).
//
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with "test" in its name> TEST_REDIS_URL=redis://127.0.0.1:6379/<n> node bench/search-cpu.mjs [filter…]
//   unset TEST_DATABASE_URL: the embedded defaults (PGlite in memory, in-process store)
//   BENCH_CALLS=600 (calls per line)
//   BENCH_CONTEXT=<scopes>x<keys> (e.g. 20x50): that many live shared-context entries first, each ~600 bytes of
//   JSON (a paragraph of this checkout's docs), which the unified search reads; none by default
// It runs under `npm start`'s Node flags (START_NODE_FLAGS), restarting itself with them when not given,
// as the server's garbage collector is part of what a search costs; BENCH_NODE_FLAGS=none measures without.
import { spawnSync } from "node:child_process";
import { AsyncLocalStorage } from "node:async_hooks";
import { loadavg } from "node:os";
import { getHeapSpaceStatistics } from "node:v8";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";
import { cpuMs, SEARCH_QUESTIONS, START_NODE_FLAGS } from "./support.mjs";

const missing = process.env.BENCH_NODE_FLAGS === "none" ? [] : START_NODE_FLAGS.filter((f) => !process.execArgv.includes(f));
if (missing.length > 0) {
  const run = spawnSync(process.execPath, [...missing, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}

register({ tsconfig: "tsconfig.json" });
const { testDeps, makeKey, closeDeps } = await import("../tests/support/deps.ts");
const { setDeps } = await import("../src/server/deps.ts");
const { handleRest } = await import("../src/server/api/rest.ts");
const { createLocalGitSource } = await import("../src/server/adapters/repo-source/local-git.ts");
const { indexRepo } = await import("../src/server/features/repos/indexer/run.ts");
const { searchCode, searchEverything, searchDepsOf, viewFor } = await import("../src/server/features/search/service.ts");
const { codeSearchInput, codeSearchOutput, unifiedSearchInput, unifiedSearchOutput } = await import("../src/server/features/search/schema.ts");
const { listAuditEvents } = await import("../src/server/features/audit/service.ts");
const { auditListInput } = await import("../src/server/features/audit/schema.ts");
const { recall } = await import("../src/server/features/search/recall.ts");
const { recallInput } = await import("../src/server/features/search/schema.ts");
const { indexesOf, recordKey } = await import("../src/server/features/context/store.ts");

const N = Number(process.env.BENCH_CALLS ?? 600);
const IN_FLIGHT = 10;
const filters = process.argv.slice(2);
/** The questions of bench/operations.mjs, asked in turn. */
const QUESTIONS = SEARCH_QUESTIONS;

const deps = await testDeps();
setDeps(deps);
const t0 = performance.now();
await indexRepo({ db: deps.db, audit: deps.audit }, { source: createLocalGitSource("local/bench", process.cwd()), trigger: "cli", full: false, writers: 2 });
console.error(`indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const [scopeCount, keysPerScope] = (process.env.BENCH_CONTEXT ?? "0x0").split("x").map(Number);
if (scopeCount > 0) {
  const { readFileSync } = await import("node:fs");
  const paragraphs = ["README.md", "docs/architecture.md", "docs/guide.md", "docs/decisions.md"]
    .flatMap((f) => readFileSync(f, "utf8").split(/\n\n+/))
    .filter((p) => p.length > 200)
    .map((p) => p.slice(0, 540));
  const now = Date.now();
  let n = 0;
  for (let s = 0; s < scopeCount; s++) {
    const scope = s === 0 ? "global" : s % 2 ? `session:bench-${s}` : `project:bench-${s}`;
    await Promise.all(
      Array.from({ length: keysPerScope }, (_, k) => {
        const stored = {
          value: { note: paragraphs[n++ % paragraphs.length], step: k },
          updatedBy: { type: "api_key", id: "bench" },
          updatedAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 3_600_000).toISOString(),
        };
        return deps.kv.setVersioned(recordKey(scope, `notes/${k}`), JSON.stringify(stored), { ttlMs: 3_600_000, indexes: indexesOf(scope, `notes/${k}`).put });
      }),
    );
  }
  console.error(`${scopeCount * keysPerScope} context entries in ${scopeCount} scopes`);
}
const { key } = await makeKey(deps, ["audit:read", "github:read", "search:read", "context:read"], { rateLimits: { read: 1e8, write: 1e8, expensive: 1e8 } });
const call = async (path) => {
  const res = await handleRest(new Request(`http://localhost/ai${path}`, { headers: { "x-api-key": key } }));
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
  return text;
};
const sdeps = searchDepsOf(deps);
const keyView = viewFor({ type: "api_key" }, deps.env.AI_RAW_CODE);
const actor = { type: "api_key", id: "bench", clientId: "bench", keyId: "bench", keyPrefix: "bench", scopes: ["audit:read", "github:read", "search:read", "context:read"] };
const q = (i) => QUESTIONS[i % QUESTIONS.length];
const codeAnswers = await Promise.all(QUESTIONS.map((x) => searchCode(sdeps, codeSearchInput.parse({ q: x }), keyView)));
const allAnswers = await Promise.all(QUESTIONS.map((x) => searchEverything(sdeps, actor, unifiedSearchInput.parse({ q: x }), keyView)));

const lines = {
  "REST /github/search": (i) => call(`/github/search?q=${encodeURIComponent(q(i))}`),
  "REST /github/search&limit=20 (as the operations bench asks)": (i) => call(`/github/search?q=${encodeURIComponent(q(i))}&limit=20`),
  "REST /search": (i) => call(`/search?q=${encodeURIComponent(q(i))}`),
  "REST /github/recall": (i) => call(`/github/recall?q=${encodeURIComponent(q(i))}`),
  "REST /audit?q=": (i) => call(`/audit?q=${encodeURIComponent(q(i))}&limit=20`),
  "REST /whoami (a plain read)": () => call("/whoami"),
  "service searchCode": (i) => searchCode(sdeps, codeSearchInput.parse({ q: q(i) }), keyView),
  "service searchEverything": (i) => searchEverything(sdeps, actor, unifiedSearchInput.parse({ q: q(i) }), keyView),
  "service searchEverything code only": (i) => searchEverything(sdeps, actor, unifiedSearchInput.parse({ q: q(i), types: "code" }), keyView),
  "service searchEverything audit only": (i) => searchEverything(sdeps, actor, unifiedSearchInput.parse({ q: q(i), types: "audit" }), keyView),
  "service searchEverything context only": (i) => searchEverything(sdeps, actor, unifiedSearchInput.parse({ q: q(i), types: "context" }), keyView),
  "service recall": (i) => recall(sdeps, recallInput.parse({ q: q(i) })),
  "service listAuditEvents(q)": (i) => listAuditEvents(deps, auditListInput.parse({ q: q(i), limit: 20 })),
  "output parse of a code answer": async (i) => codeSearchOutput.parse(codeAnswers[i % codeAnswers.length]),
  "output parse of a unified answer": async (i) => unifiedSearchOutput.parse(allAnswers[i % allAnswers.length]),
  "JSON of a unified answer": async (i) => JSON.stringify(allAnswers[i % allAnswers.length]),
  "JSON of a code answer": async (i) => JSON.stringify(codeAnswers[i % codeAnswers.length]),
};

/**
 * CPU of this database's Postgres backends, in µs (from /proc, so the server must run on this machine):
 * what a search costs the database besides this process. Null on the embedded database, which runs in
 * this process and is counted in its CPU.
 */
const pgCpu = async () => {
  if (!process.env.TEST_DATABASE_URL) return null;
  const pids = await deps.database.sql.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`, []);
  const byPid = new Map();
  for (const { pid } of pids) {
    try {
      byPid.set(pid, cpuMs(pid) * 1000);
    } catch {
      // a backend that ended meanwhile
    }
  }
  return byPid;
};
const pgSpent = (before, after) => (before && after ? [...after].reduce((sum, [pid, t]) => sum + t - (before.get(pid) ?? 0), 0) : null);

const als = new AsyncLocalStorage();
// Resident memory while the lines run (not the indexing before them), and the young generation's
// committed size, which the semi-space flag bounds.
const memory = { rss: 0, young: 0 };
const sampleMemory = () => {
  memory.rss = Math.max(memory.rss, process.memoryUsage().rss);
  memory.young = Math.max(memory.young, getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.physical_space_size ?? 0);
};
const sampler = setInterval(sampleMemory, 20);
for (const [name, fn] of Object.entries(lines)) {
  if (filters.length && !filters.some((f) => name.includes(f))) continue;
  for (let i = 0; i < 50; i++) await fn(i);
  const pgStart = await pgCpu();
  const start = process.cpuUsage();
  const w0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, () =>
      als.run({ name }, async () => {
        while (next < N) await fn(next++);
      }),
    ),
  );
  const cpu = process.cpuUsage(start);
  const pg = pgSpent(pgStart, await pgCpu());
  console.log(
    `${name.padEnd(40)} ${((cpu.user + cpu.system) / N).toFixed(0).padStart(6)} µs CPU/call  ${(((performance.now() - w0) * 1000) / N).toFixed(0).padStart(6)} µs wall/call${pg === null ? "" : `  ${(pg / N).toFixed(0).padStart(6)} µs Postgres CPU/call`}`,
  );
}
console.log(
  `node flags: ${process.execArgv.join(" ") || "none"}; while searching: RSS up to ${(memory.rss / 2 ** 20).toFixed(0)} MB, young generation up to ${(memory.young / 2 ** 20).toFixed(0)} MB; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
clearInterval(sampler);
await closeDeps(deps);
process.exit(0);
