#!/usr/bin/env node
// Benchmark: the shared context through the whole stack against the real Redis — GET /ai/context (read)
// and PUT /ai/context (write) — beside /api/health of the same build (the framework's ceiling) and a
// bare node:http + ioredis handler doing the same store work (HMGET of the entry's record; the same
// versioned-write Lua script), measured in one run with autocannon at 10 and 100 connections.
//
//   node bench/context.mjs            (builds into .next-bench-context if needed; local Postgres + Redis)
//   BENCH_SECONDS=5 node bench/context.mjs --build
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { register } from "tsx/esm/api";

register({ tsconfig: "tsconfig.json" });
const { SET_VERSIONED_LUA } = await import("../src/server/adapters/kv/scripts.ts");

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DIST = ".next-bench-context";
const env = { ...process.env, DATABASE_URL, REDIS_URL, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
const SCOPE = "global";
const KEY = "bench/context";
const RECORD = `ctx:e:${SCOPE}|${KEY}`;
// A realistic entry: a deploy note of about 400 bytes.
const VALUE = { service: "api", state: "rolling", version: "2026.11.27-1", regions: ["eu-west-1", "us-east-1"], checks: { ci: "green", smoke: "green", canary: "pending" }, note: "Canary at 10 % since 14:02; watch p99 and error rate before promoting. ".repeat(3) };
const BODY = JSON.stringify({ scope: SCOPE, key: KEY, value: VALUE, ttlSeconds: 3600 });

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

function cannon(target, connections, seconds = SECONDS) {
  const { url, method = "GET", headers = {}, body } = target;
  return new Promise((resolve, reject) => {
    autocannon({ url, method, headers, body, connections, duration: seconds, pipelining: 1 }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

if (!existsSync(`${DIST}/BUILD_ID`) || process.argv.includes("--build")) {
  console.log(`building into ${DIST} …`);
  execFileSync(process.execPath, ["scripts/prisma-generate.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit", env });
}

// The baseline: the same store work without the framework, auth, rate limit or audit.
const redis = new Redis(REDIS_URL);
const bare = createServer((req, res) => {
  if (req.method === "GET") {
    redis.hmget(RECORD, "v", "d").then(([v, d]) => {
      if (d === null) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ scope: SCOPE, key: KEY, version: Number(v), ...JSON.parse(d) }));
    });
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const now = Date.now();
    const stored = JSON.stringify({ value: input.value, updatedBy: { type: "api_key", id: "bare" }, updatedAt: new Date(now).toISOString(), expiresAt: new Date(now + input.ttlSeconds * 1000).toISOString() });
    redis.eval(SET_VERSIONED_LUA, 1, `${RECORD}:bare`, stored, input.ttlSeconds * 1000, "").then((r) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ version: r[1], conflict: false }));
    });
  });
});
const barePort = await listen(bare);
const probe = createServer();
const appPort = await listen(probe);
await new Promise((r) => probe.close(r));
const app = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(appPort), "-H", "127.0.0.1"], { env, stdio: ["ignore", "ignore", "inherit"], detached: true });
try {
  await waitFor(`http://127.0.0.1:${appPort}/api/health`);
  const args = ["keys", "create", "--client", "bench-context", "--scopes", "context:read,context:write", "--rate-limit", "read=100000000,write=100000000"];
  const key = execFileSync(process.execPath, ["bin/orchestrator.mjs", ...args], { env }).toString().trim().split("\n").pop();
  const base = `http://127.0.0.1:${appPort}`;
  const auth = { "x-api-key": key };
  const json = { "content-type": "application/json" };
  const seeded = await fetch(`${base}/ai/context`, { method: "PUT", headers: { ...auth, ...json }, body: BODY });
  if (!seeded.ok) throw new Error(`seeding the entry failed: ${seeded.status} ${await seeded.text()}`);

  const query = `scope=${encodeURIComponent(SCOPE)}&key=${encodeURIComponent(KEY)}`;
  const targets = [
    { name: "bare node:http + ioredis GET", group: "read", baseline: true, url: `http://127.0.0.1:${barePort}/` },
    { name: "bare node:http + ioredis PUT", group: "write", baseline: true, url: `http://127.0.0.1:${barePort}/`, method: "PUT", headers: json, body: BODY },
    { name: "/api/health", group: "health", url: `${base}/api/health` },
    { name: "/ai/whoami (spine floor)", group: "floor", url: `${base}/ai/whoami`, headers: auth },
    { name: "GET /ai/context", group: "read", url: `${base}/ai/context?${query}`, headers: auth },
    { name: "PUT /ai/context", group: "write", url: `${base}/ai/context`, method: "PUT", headers: { ...auth, ...json }, body: BODY },
  ];
  // warm up the app's routes, JIT and connection pools
  for (const t of targets.filter((x) => !x.baseline)) await cannon(t, 10, 5).catch(() => {});

  const rows = [];
  for (const connections of [10, 100]) {
    for (const t of targets) {
      const r = await cannon(t, connections);
      const row = { name: t.name, group: t.group, baseline: Boolean(t.baseline), connections, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
      rows.push(row);
      console.log(`${t.name.padEnd(30)} c=${String(connections).padEnd(3)} ${row.rps.toFixed(0).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  errors ${row.errors}  non-2xx ${row.non2xx}`);
    }
  }
  console.log("\nratios (same run):");
  for (const connections of [10, 100]) {
    const at = rows.filter((r) => r.connections === connections);
    const health = at.find((r) => r.group === "health");
    const floor = at.find((r) => r.group === "floor");
    for (const group of ["read", "write"]) {
      const full = at.find((r) => r.group === group && !r.baseline);
      const bareRow = at.find((r) => r.group === group && r.baseline);
      console.log(
        `  c=${connections} ${full.name.padEnd(16)} ${(full.rps / health.rps).toFixed(2)} of /api/health  ${(full.rps / floor.rps).toFixed(2)} of /ai/whoami  ${(full.rps / bareRow.rps).toFixed(3)} of bare  p50 ${full.p50} ms  p99 ${full.p99} ms  errors ${full.errors + full.non2xx}`,
      );
    }
  }
} finally {
  process.kill(-app.pid, "SIGTERM");
  bare.close();
  redis.disconnect();
}
