#!/usr/bin/env node
// Benchmark: a minimal authenticated, audited, rate-limited read (/ai/whoami) through the whole
// stack, beside /api/health of the same build and a bare node:http handler, measured in one run
// with autocannon at 10 and 100 connections. Prints throughput, p50/p99, errors and the ratios.
//
//   npm run bench                 (builds into .next-bench if needed; uses the local Postgres + Redis)
//   BENCH_SECONDS=5 npm run bench
//   BENCH_ROUNDS=5 npm run bench  (runs per target, interleaved, median kept; default 3)
import { createServer } from "node:http";
import { benchEnv, cannon, createKey, ensureBuild, interleaved, listen, loadLine, scratchDatabase, startApp } from "./support.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// a fresh database per run (DATABASE_URL to use another): the audit log gains a row per request
const scratch = process.env.DATABASE_URL ? null : await scratchDatabase("bench_api");
const env = benchEnv(".next-bench", scratch?.url);
ensureBuild(env);

const bare = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"ok":true}');
});
const barePort = await listen(bare);
const app = await startApp(env);
try {
  const key = createKey(env, ["--client", "bench", "--scopes", "metrics:read", "--rate-limit", "read=100000000"]);
  const targets = [
    { name: "bare node:http", url: `http://127.0.0.1:${barePort}/` },
    { name: "/api/health", url: `${app.base}/api/health` },
    { name: "/ai/whoami (auth+audit+rate limit)", url: `${app.base}/ai/whoami`, headers: { "x-api-key": key } },
  ];
  console.log(`${SECONDS} s per run, ${ROUNDS} interleaved runs per target (median kept); before: ${loadLine()}`);
  // warm up the app's routes and connection pools
  for (const t of targets.slice(1)) await cannon(t, 10, SECONDS).catch(() => {});
  const rows = [];
  for (const connections of [10, 100]) {
    const results = await interleaved(targets, connections, SECONDS, ROUNDS);
    for (const [i, { name }] of targets.entries()) {
      const r = results[i];
      rows.push({ name, connections, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.failedInAnyRun, non2xx: 0 });
      console.log(
        `${name.padEnd(36)} c=${String(connections).padEnd(3)} ${r.requests.average.toFixed(0).padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors/non-2xx (all runs) ${r.failedInAnyRun}`,
      );
    }
  }
  console.log("\nratios (same run):");
  for (const connections of [10, 100]) {
    const get = (prefix) => rows.find((r) => r.connections === connections && r.name.startsWith(prefix));
    const read = get("/ai/whoami");
    const health = get("/api/health");
    const nodeHttp = get("bare");
    console.log(
      `  c=${connections}: read/health ${(read.rps / health.rps).toFixed(2)}  health/bare ${(health.rps / nodeHttp.rps).toFixed(3)}  read p99 ${read.p99} ms  read errors ${read.errors + read.non2xx}`,
    );
  }
  console.log(`after: ${loadLine()}`);
} finally {
  app.stop();
  bare.close();
  await new Promise((r) => setTimeout(r, 1_000)); // the server's connections close before the database goes
  await scratch?.drop();
}
