#!/usr/bin/env node
// Benchmark: a minimal authenticated, audited, rate-limited read (/ai/whoami) through the whole
// stack, beside /api/health of the same build and a bare node:http handler, measured in one run
// with autocannon at 10 and 100 connections. Prints throughput, p50/p99, errors and the ratios.
//
//   npm run bench                 (builds into .next-bench if needed; uses the local Postgres + Redis)
//   BENCH_SECONDS=5 npm run bench
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DIST = ".next-bench";
const env = { ...process.env, DATABASE_URL, REDIS_URL, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };

function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
}

async function waitFor(url, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up`);
}

function cannon(url, connections, headers = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: SECONDS, headers, pipelining: 1 }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

if (!existsSync(`${DIST}/BUILD_ID`) || process.argv.includes("--build")) {
  console.log(`building into ${DIST} …`);
  execFileSync(process.execPath, ["scripts/prisma-generate.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit", env });
}

const bare = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"ok":true}');
});
const barePort = await listen(bare);
const probe = createServer();
const appPort = await listen(probe);
await new Promise((r) => probe.close(r));
const app = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(appPort), "-H", "127.0.0.1"], { env, stdio: ["ignore", "ignore", "inherit"], detached: true });
try {
  await waitFor(`http://127.0.0.1:${appPort}/api/health`);
  const out = execFileSync(process.execPath, ["bin/orchestrator.mjs", "keys", "create", "--client", "bench", "--scopes", "metrics:read", "--rate-limit", "read=100000000"], { env });
  const key = out.toString().trim().split("\n").pop();
  const targets = [
    ["bare node:http", `http://127.0.0.1:${barePort}/`, {}],
    ["/api/health", `http://127.0.0.1:${appPort}/api/health`, {}],
    ["/ai/whoami (auth+audit+rate limit)", `http://127.0.0.1:${appPort}/ai/whoami`, { "x-api-key": key }],
  ];
  // warm up the app's routes and connection pools
  for (const [, url, headers] of targets.slice(1)) await cannon(url, 10, headers).catch(() => {});
  const rows = [];
  for (const connections of [10, 100]) {
    for (const [name, url, headers] of targets) {
      const r = await cannon(url, connections, headers);
      rows.push({ name, connections, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx });
      console.log(`${name.padEnd(36)} c=${String(connections).padEnd(3)} ${r.requests.average.toFixed(0).padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${r.errors + r.timeouts}  non-2xx ${r.non2xx}`);
    }
  }
  console.log("\nratios (same run):");
  for (const connections of [10, 100]) {
    const get = (prefix) => rows.find((r) => r.connections === connections && r.name.startsWith(prefix));
    const read = get("/ai/whoami");
    const health = get("/api/health");
    const nodeHttp = get("bare");
    console.log(`  c=${connections}: read/health ${(read.rps / health.rps).toFixed(2)}  health/bare ${(health.rps / nodeHttp.rps).toFixed(3)}  read p99 ${read.p99} ms  read errors ${read.errors + read.non2xx}`);
  }
} finally {
  process.kill(-app.pid, "SIGTERM");
  bare.close();
}
