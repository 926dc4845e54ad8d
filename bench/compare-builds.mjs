#!/usr/bin/env node
// Compares builds (or settings) of the app on this machine. On a shared machine the same build measures
// 0.60 of /api/health one hour and 0.74 the next, so a change is judged here, not across runs: every
// configuration's server is up at once, each on a fresh database, and the runs are interleaved (A B, A B,
// …) so drift hits them alike. Per target it prints throughput (median of the rounds), the ratio to the
// same server's /api/health, the server's CPU per request (all its threads, from /proc; Linux only) and
// database commits per request (the audit's group commit: fewer is larger batches).
//
//   node bench/compare-builds.mjs .next-bench .next-other            two build folders (build them first:
//                                                                    NEXT_DIST_DIR=.next-other npx next build)
//   node bench/compare-builds.mjs .next-bench ".next-bench SOME_ENV=1"  one build, with and without a setting
//   node bench/compare-builds.mjs .next-bench ".next-bench CWD=/path/to/worktree"  a build of another checkout
//                                                                    (a git worktree of an earlier commit, built
//                                                                    there), run there: its own code, migrations
//   TARGETS=health,whoami,context-get,context-put BENCH_SECONDS=5 BENCH_ROUNDS=4 node bench/compare-builds.mjs …
//   TARGETS=health,code-search,search …         the code search and the unified search, asking the operations
//                                               bench's ten questions in turn over this checkout, indexed first
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { benchEnv, cannon, cpuMs, createKey, loadLine, scratchDatabase, SEARCH_QUESTIONS, startApp } from "./support.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TARGETS = (process.env.TARGETS ?? "health,whoami,context-get").split(",");
const configs = process.argv.slice(2);
if (configs.length === 0) {
  console.error("usage: node bench/compare-builds.mjs <build folder>[ ENV=value …] …");
  process.exit(2);
}

const BODY = JSON.stringify({
  scope: "global",
  key: "bench/context",
  value: { service: "api", state: "rolling", regions: ["eu-west-1", "us-east-1"], note: "Canary at 10 %. ".repeat(10) },
  ttlSeconds: 3600,
});

function targetsFor(base, key) {
  const auth = { "x-api-key": key };
  const all = {
    health: { url: `${base}/api/health` },
    whoami: { url: `${base}/ai/whoami`, headers: auth },
    "context-get": { url: `${base}/ai/context?scope=global&key=bench%2Fcontext`, headers: auth },
    "context-put": { url: `${base}/ai/context`, method: "PUT", headers: { ...auth, "content-type": "application/json" }, body: BODY },
    "code-search": { url: base, headers: auth, paths: SEARCH_QUESTIONS.map((q) => `/ai/github/search?q=${encodeURIComponent(q)}&limit=20`) },
    search: { url: base, headers: auth, paths: SEARCH_QUESTIONS.map((q) => `/ai/search?q=${encodeURIComponent(q)}&limit=20`) },
  };
  return TARGETS.map((name) => {
    if (!all[name]) throw new Error(`unknown target ${name}; one of ${Object.keys(all).join(", ")}`);
    return { name, ...all[name] };
  });
}

async function commits(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()");
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

const servers = [];
try {
  for (const config of configs) {
    const [dist, ...settings] = config.trim().split(/\s+/);
    const { CWD: cwd = process.cwd(), ...set } = Object.fromEntries(settings.map((s) => [s.slice(0, s.indexOf("=")), s.slice(s.indexOf("=") + 1)]));
    if (!existsSync(path.resolve(cwd, dist, "BUILD_ID"))) throw new Error(`${dist} holds no build; build it with NEXT_DIST_DIR=${dist} npx next build`);
    const server = { config, scratch: await scratchDatabase("bench_compare"), runs: {} };
    servers.push(server);
    const env = { ...benchEnv(dist, server.scratch.url), ...set };
    const app = (server.app = await startApp(env, [], cwd));
    const key = createKey(
      env,
      ["--client", "bench", "--scopes", "metrics:read,context:read,context:write,github:read,search:read,audit:read", "--rate-limit", "read=100000000,write=100000000,expensive=100000000"],
      cwd,
    );
    // the searches rank this checkout's index, as a user's would after `orchestrator index`
    if (TARGETS.some((t) => t.includes("search"))) execFileSync(process.execPath, ["bin/orchestrator.mjs", "index"], { env, cwd, stdio: ["ignore", "ignore", "inherit"] });
    const seeded = await fetch(`${app.base}/ai/context`, { method: "PUT", headers: { "x-api-key": key, "content-type": "application/json" }, body: BODY });
    if (!seeded.ok) throw new Error(`${config}: seeding the context entry failed (${seeded.status})`);
    server.targets = targetsFor(app.base, key);
  }
  console.log(`${SECONDS} s per run, ${ROUNDS} interleaved rounds, ${CONNECTIONS} connections; before: ${loadLine()}`);
  for (const s of servers) for (const t of s.targets) await cannon(t, CONNECTIONS, 2); // warm up
  await new Promise((res) => setTimeout(res, 1_100)); // the warm-up's commits are counted before the first run
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of servers) {
      for (const t of s.targets) {
        const [c0, cpu0] = [await commits(s.scratch.url), cpuMs(s.app.pid)];
        const r = await cannon(t, CONNECTIONS, SECONDS);
        const cpu = cpuMs(s.app.pid) - cpu0;
        await new Promise((res) => setTimeout(res, 1_100)); // Postgres publishes its counters about once a second
        const n = r.requests.total;
        (s.runs[t.name] ??= []).push({ rps: r.requests.average, cpuUs: (cpu * 1000) / n, commits: ((await commits(s.scratch.url)) - c0) / n, failed: r.errors + r.timeouts + r.non2xx });
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  for (const s of servers) {
    console.log(`\n${s.config}`);
    const health = s.runs.health ? median(s.runs.health.map((r) => r.rps)) : null;
    for (const t of s.targets) {
      const runs = s.runs[t.name];
      const rps = median(runs.map((r) => r.rps));
      const ratio = health ? `${(rps / health).toFixed(2)} of health` : "";
      const failed = runs.reduce((sum, r) => sum + r.failed, 0);
      console.log(
        `  ${t.name.padEnd(12)} ${rps.toFixed(0).padStart(6)} req/s  ${ratio.padEnd(15)} CPU ${median(runs.map((r) => r.cpuUs))
          .toFixed(0)
          .padStart(4)} µs/request  ${median(runs.map((r) => r.commits)).toFixed(3)} commits/request${failed ? `  FAILED ${failed}` : ""}`,
      );
    }
  }
  console.log(`\nafter: ${loadLine()}`);
} finally {
  for (const s of servers) s.app?.stop();
  await new Promise((r) => setTimeout(r, 1_000));
  for (const s of servers) await s.scratch.drop();
}
