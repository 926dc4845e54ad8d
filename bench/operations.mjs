#!/usr/bin/env node
// Benchmark: every GET operation of the OpenAPI document against one production build, each run right
// after a run of /api/health of the same server (the framework's ceiling), on two configurations:
// the local Postgres + Redis, and the embedded defaults (PGlite, in-process store). Cloudways and
// WordPress point at the local fakes of their APIs so their operations can be called too, and this
// checkout is indexed first (`orchestrator index`) so the searches rank real code.
// Operations are read from /api/openapi.json, so a new one is measured without touching this file;
// one the bench cannot call with a 2xx is reported as a failure of the bench (exit code 1).
// Prints one table per configuration (ratio, p50, p99, errors, server CPU per request) and, with
// --write, puts it in docs/performance.md under a dated heading.
//
//   node bench/operations.mjs [--write] [--build]
//   BENCH_SECONDS=3 BENCH_ROUNDS=2 BENCH_CONNECTIONS=10 CONFIGS=services,embedded ONLY=status,context node bench/operations.mjs
//   ONLY==/search …                      that operation's path alone (ONLY=search: every path holding "search")
//   BENCH_SAVE=before.json …            keeps this run's figures; BENCH_BEFORE=before.json shows them beside the next run's
//   BENCH_PORT=3300 BENCH_DB_PREFIX=bench_me REDIS_URL=redis://127.0.0.1:6379/13 …   a shared machine: own port, database names, Redis DB
//   BENCH_CPU_PROF=/tmp/prof ONLY=whoami …   the server writes a V8 CPU profile there when it stops (one per configuration)
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { register } from "tsx/esm/api";
import { benchEnv, cannon, cpuMs, createKey, ensureBuild, loadLine, scratchDatabase, SEARCH_QUESTIONS, startApp } from "./support.mjs";

register({ tsconfig: "tsconfig.json" });
const { startCloudwaysFake } = await import("../tests/fakes/cloudways.ts");
const { startWordPressFake } = await import("../tests/fakes/wordpress.ts");

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/** Pairs (health, operation) per operation: one 5-s pair moved ratios of unchanged reads by ±0.1 between quiet runs. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CONFIGS = (process.env.CONFIGS ?? "services,embedded").split(",");
const ONLY = process.env.ONLY ? process.env.ONLY.split(",") : null;
const DIST = process.env.NEXT_DIST_DIR ?? ".next-bench-ops";
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? "bench_ops";
/** Figures of an earlier run (BENCH_SAVE of that run), shown beside this run's: { [config]: { [operation path]: { ratio, p99 } } }. */
const BEFORE = process.env.BENCH_BEFORE && existsSync(process.env.BENCH_BEFORE) ? JSON.parse(readFileSync(process.env.BENCH_BEFORE, "utf8")) : null;
const TARGETS = { readRatio: 0.5, medianRatio: 0.65, p99Ms: 50, searchP99Ms: 100, embeddedP99Ms: 100 };
const SCOPES = "context:read,context:write,audit:read,github:read,search:read,intents:propose,intents:read,cursor:write,metrics:read,suggestions:read,hosting:read,admin";
const UNLIMITED = "read=100000000,write=100000000,expensive=100000000";
const PROFILE = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

const QUESTIONS = SEARCH_QUESTIONS;

/** Values for parameters the document marks required, or that make a read meaningful; ids come from the seeded data. */
function parameterValue(name, seeds) {
  const known = { q: "audit", scope: "global", key: "bench/ops", sessionId: seeds.sessionId, limit: "20", windowMinutes: "60" };
  return known[name];
}

function pathFor(template, seeds) {
  return template.replace(/\{(\w+)\}/g, (_, name) => {
    const v = seeds.path[name]?.(template);
    if (v === undefined) throw new Error(`no value for path parameter {${name}} of ${template}`);
    return encodeURIComponent(v);
  });
}

function getOperations(doc) {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    const op = item.get;
    if (!op) continue;
    ops.push({ path: p, id: op.operationId, params: op.parameters ?? [], search: /search|recall/i.test(p) });
  }
  // ONLY=status,context: every operation whose path holds one of the words; ONLY==/search: that path alone
  return ONLY ? ops.filter((o) => ONLY.some((w) => (w.startsWith("=") ? o.path === w.slice(1) : o.path.includes(w)))) : ops;
}

async function json(res, what) {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Data every operation can read: a context entry, an intent, an IDE session, the configured connections' ids. */
async function seed(base, headers) {
  const h = { ...headers, "content-type": "application/json" };
  await json(
    await fetch(`${base}/ai/context`, { method: "PUT", headers: h, body: JSON.stringify({ scope: "global", key: "bench/ops", value: { note: "bench" }, ttlSeconds: 3600 }) }),
    "seeding context",
  );
  const intent = await json(
    await fetch(`${base}/ai/intents`, { method: "POST", headers: h, body: JSON.stringify({ action: "purge_cache", target: { server: "101" }, params: {}, reason: "bench seed" }) }),
    "seeding an intent",
  );
  await json(
    await fetch(`${base}/ai/cursor/session`, {
      method: "PUT",
      headers: h,
      body: JSON.stringify({ sessionId: "bench-session", repo: "acme/web", branch: "main", head: "0123456789abcdef0123456789abcdef01234567", activeFile: "src/app.ts", changedFiles: [] }),
    }),
    "seeding an IDE session",
  );
  await fetch(`${base}/ai/connections/refresh`, { method: "POST", headers: h, body: "{}" }).catch(() => {});
  const connections = await json(await fetch(`${base}/ai/connections`, { headers }), "listing connections");
  const sites = await json(await fetch(`${base}/ai/wordpress/sites`, { headers }), "listing WordPress sites");
  const list = (x) => (Array.isArray(x) ? x : (x.items ?? x.connections ?? x.sites ?? []));
  const firstId = (x) => list(x)[0]?.id;
  return {
    sessionId: "bench-session",
    path: {
      id: (template) =>
        template.startsWith("/intents")
          ? (intent.intent?.id ?? intent.id)
          : template.startsWith("/connections")
            ? firstId(connections)
            : template.startsWith("/wordpress")
              ? firstId(sites)
              : undefined,
      serverId: () => "101",
    },
  };
}

function urlFor(base, op, seeds, q) {
  const query = new URLSearchParams();
  for (const p of op.params) {
    if (p.in !== "query") continue;
    const v = p.name === "q" && q !== undefined ? q : parameterValue(p.name, seeds);
    if (v !== undefined) query.set(p.name, v);
    else if (p.required) throw new Error(`no value for required parameter ${p.name} of ${op.path}`);
  }
  const qs = query.toString();
  return `${base}/ai${pathFor(op.path, seeds)}${qs ? `?${qs}` : ""}`;
}

async function measure(app, target) {
  const cpu0 = cpuMs(app.pid);
  const r = await cannon(target, CONNECTIONS, SECONDS);
  const cpu = cpuMs(app.pid) - cpu0;
  return { rps: r.requests.average, requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, cpuUs: (cpu * 1000) / Math.max(1, r.requests.total) };
}

/**
 * Waits until the server has finished what the previous run left it (requests whose callers gave up, such
 * as slow verifications, still run): three health checks in a row under 20 ms, or 60 s at most. Otherwise
 * that work would be counted against the next operation's baseline.
 */
async function idle(base) {
  const end = Date.now() + 60_000;
  for (let quick = 0; quick < 3 && Date.now() < end;) {
    const t0 = performance.now();
    await fetch(`${base}/api/health`).catch(() => null);
    quick = performance.now() - t0 < 20 ? quick + 1 : 0;
  }
}

async function runConfig(name, fakes) {
  const scratch = name === "services" ? await scratchDatabase(DB_PREFIX) : null;
  const dataDir = name === "embedded" ? mkdtempSync(path.join(tmpdir(), "oo-bench-ops-")) : null;
  const common = {
    CW_EMAIL: fakes.cw.email,
    CW_API_KEY: fakes.cw.apiKey,
    CW_API_URL: fakes.cw.fake.baseUrl,
    WP_REST_ENDPOINT: fakes.wp.siteUrl("bench"),
    WP_USER: "bench",
    WP_APP_PASSWORD: "abcd efgh ijkl mnop qrst uvwx",
    PROBE_INTERVAL_SECONDS: "0",
  };
  const env = scratch ? { ...benchEnv(DIST, scratch.url), ...common } : { ...benchEnv(DIST, undefined), ...common, DATABASE_URL: "", REDIS_URL: "", DATA_DIR: dataDir };
  const app = await startApp(env, PROFILE);
  const rows = [];
  const failures = [];
  try {
    const key = createKey(env, ["--client", `bench-ops-${name}`, "--scopes", SCOPES, "--rate-limit", UNLIMITED]);
    const headers = { "x-api-key": key };
    // the searches rank this checkout's index, as a user's would after `orchestrator index`; an empty index
    // would measure only the statements' overhead
    execFileSync(process.execPath, ["bin/orchestrator.mjs", "index"], { env, stdio: ["ignore", "ignore", "inherit"] });
    const doc = await json(await fetch(`${app.base}/api/openapi.json`), "reading the OpenAPI document");
    const seeds = await seed(app.base, headers);
    const health = { url: `${app.base}/api/health` };
    for (const op of getOperations(doc)) {
      let url;
      let paths;
      try {
        url = urlFor(app.base, op, seeds);
        // a search is asked each of QUESTIONS in turn
        const asks = op.search && op.params.some((p) => p.in === "query" && p.name === "q");
        paths = asks ? QUESTIONS.map((q) => urlFor(app.base, op, seeds, q).slice(app.base.length)) : undefined;
        for (const u of paths ? paths.map((p) => `${app.base}${p}`) : [url]) {
          const first = await fetch(u, { headers });
          if (!first.ok) throw new Error(`answered ${first.status}: ${(await first.text()).slice(0, 200)}`);
        }
      } catch (err) {
        failures.push(`${op.path}: ${err.message}`);
        continue;
      }
      await cannon({ url, headers, paths }, CONNECTIONS, 1); // warm up
      await idle(app.base);
      const pairs = [];
      for (let round = 0; round < ROUNDS; round++) {
        const h = await measure(app, health);
        pairs.push({ h, o: await measure(app, { url, headers, paths }) });
      }
      const { h, o } = combined(pairs);
      const shown = paths ? url.slice(app.base.length).replace(/([?&]q=)[^&]*/, `$1…(${paths.length} questions in turn)`) : url.slice(app.base.length);
      rows.push({ op, url: shown, health: h, ...o });
      process.stdout.write(`  ${name} ${op.path} ${o.ratio.toFixed(2)} (server CPU per request ${o.cpuUs.toFixed(0)} µs, /api/health ${h.cpuUs.toFixed(0)} µs)\n`);
    }
  } finally {
    app.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  return { name, rows, failures };
}

/**
 * An operation's rounds as one row: the median of its per-pair ratios (each against the health run just
 * before it), the median p50, the worst p99, errors summed, CPU per request over all its requests.
 */
function combined(pairs) {
  const ops = pairs.map((p) => p.o);
  const healths = pairs.map((p) => p.h);
  const o = {
    ratio: median(pairs.map((p) => p.o.rps / p.h.rps)),
    rps: median(ops.map((r) => r.rps)),
    p50: median(ops.map((r) => r.p50)),
    p99: Math.max(...ops.map((r) => r.p99)),
    errors: ops.reduce((n, r) => n + r.errors, 0),
    cpuUs: cpuPerRequest(ops),
  };
  return { h: { rps: median(healths.map((r) => r.rps)), cpuUs: cpuPerRequest(healths) }, o };
}

/** Server CPU per request over several runs, each weighted by its requests. */
function cpuPerRequest(runs) {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  return runs.reduce((n, r) => n + r.cpuUs * r.requests, 0) / Math.max(1, requests);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2 : NaN;
}

function verdicts(result) {
  const out = [];
  const { rows, name } = result;
  if (!rows.length) return ["no operation measured"];
  const worst = rows.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const slowest = rows.reduce((a, b) => (b.p99 > a.p99 ? b : a));
  const med = median(rows.map((r) => r.ratio));
  if (name === "services") {
    out.push(`worst ratio ${worst.ratio.toFixed(2)} (${worst.op.path}; target ≥ ${TARGETS.readRatio}): ${worst.ratio >= TARGETS.readRatio ? "met" : "NOT met"}`);
    out.push(`median ratio ${med.toFixed(2)} (target ≥ ${TARGETS.medianRatio}): ${med >= TARGETS.medianRatio ? "met" : "NOT met"}`);
    const plain = rows.filter((r) => !r.op.search);
    const search = rows.filter((r) => r.op.search);
    const worstPlain = plain.reduce((a, b) => (b.p99 > a.p99 ? b : a), plain[0]);
    if (worstPlain) out.push(`worst p99 of non-search reads ${worstPlain.p99} ms (${worstPlain.op.path}; target ≤ ${TARGETS.p99Ms} ms): ${worstPlain.p99 <= TARGETS.p99Ms ? "met" : "NOT met"}`);
    const worstSearch = search.reduce((a, b) => (b.p99 > a.p99 ? b : a), search[0]);
    if (worstSearch) out.push(`worst p99 of search ${worstSearch.p99} ms (${worstSearch.op.path}; target ≤ ${TARGETS.searchP99Ms} ms): ${worstSearch.p99 <= TARGETS.searchP99Ms ? "met" : "NOT met"}`);
  } else {
    out.push(`worst p99 ${slowest.p99} ms (${slowest.op.path}; target ≤ ${TARGETS.embeddedP99Ms} ms): ${slowest.p99 <= TARGETS.embeddedP99Ms ? "met" : "NOT met"}`);
    out.push(`worst ratio ${worst.ratio.toFixed(2)} (${worst.op.path}), median ${med.toFixed(2)}`);
  }
  if (result.failures.length) out.push(`${result.failures.length} operation(s) the bench could not call: FAILED`);
  return out;
}

function table(result) {
  const before = BEFORE?.[result.name];
  const was = (r) => {
    const b = before?.[r.op.path];
    return b ? ` ${Number.isFinite(b.ratio) ? b.ratio.toFixed(2) : "—"} · ${b.p99} ms |` : " |";
  };
  const lines = [
    `| operation (${result.name === "services" ? "Postgres + Redis" : "embedded: PGlite + in-process store"}) | ratio to /api/health | req/s | p50 | p99 | errors | server CPU / request |${before ? " before: ratio · p99 |" : ""}`,
    `|---|---|---|---|---|---|---|${before ? "---|" : ""}`,
  ];
  for (const r of [...result.rows].sort((a, b) => a.ratio - b.ratio)) {
    lines.push(`| \`GET ${r.url.replace(/\|/g, "\\|")}\` | ${r.ratio.toFixed(2)} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.errors} | ${r.cpuUs.toFixed(0)} µs |${before ? was(r) : ""}`);
  }
  for (const f of result.failures) lines.push(`| ${f.replace(/\|/g, "\\|")} | could not call | | | | | |${before ? " |" : ""}`);
  return lines.join("\n");
}

const cwCfg = { email: "bench@example.com", apiKey: "bench-cloudways-key" };
const fakes = { cw: { ...cwCfg, fake: await startCloudwaysFake(cwCfg) }, wp: await startWordPressFake() };
fakes.wp.addSite("bench", { user: "bench", appPassword: "abcd efgh ijkl mnop qrst uvwx" });
ensureBuild(benchEnv(DIST, undefined));
const before = loadLine();
console.log(`${ROUNDS} × ${SECONDS} s per operation, ${CONNECTIONS} connections, each run right after /api/health; before: ${before}`);
const results = [];
try {
  for (const name of CONFIGS) results.push(await runConfig(name, fakes));
} finally {
  await fakes.cw.fake.close();
  await fakes.wp.close();
}
const after = loadLine();
if (process.env.BENCH_SAVE) {
  const saved = Object.fromEntries(results.map((r) => [r.name, Object.fromEntries(r.rows.map((x) => [x.op.path, { ratio: x.ratio, p50: x.p50, p99: x.p99 }]))]));
  writeFileSync(process.env.BENCH_SAVE, JSON.stringify({ ...saved, load: { before, after } }, null, 2));
}
const stamp = new Date()
  .toISOString()
  .replace(/:\d\d\.\d+Z$/, " UTC")
  .replace("T", " ");
const report = [
  `## Every read operation (${stamp})`,
  "",
  `\`node bench/operations.mjs\`: ${ROUNDS} runs of ${SECONDS} s per operation at ${CONNECTIONS} connections, each right after a run of \`/api/health\` of the same server (ratio: the median of the pairs; p99: the worst run); before: ${before}; after: ${after}.`,
  "",
  ...results.flatMap((r) => [table(r), "", ...verdicts(r).map((v) => `- ${v}`), ""]),
].join("\n");
console.log(`\n${report}`);
if (process.argv.includes("--write")) {
  // appended: sections from several branches merge without touching each other
  const file = "docs/performance.md";
  const doc = readFileSync(file, "utf8").replace(/\n*$/, "\n");
  writeFileSync(file, `${doc}\n${report}`);
  console.log(`written to ${file}`);
}
process.exitCode = results.some((r) => r.failures.length) ? 1 : 0;
