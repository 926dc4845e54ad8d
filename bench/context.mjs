#!/usr/bin/env node
// Benchmark: the shared context through the whole stack against the real Redis — GET /ai/context (read)
// and PUT /ai/context (write) — beside /api/health of the same build (the framework's ceiling) and a
// bare node:http + ioredis handler doing the same store work (HMGET of the entry's record; the same
// versioned-write Lua script over a record and two indexes), measured in one run with autocannon at 10
// and 100 connections. Prints throughputs, p50/p99, errors, the ratios and the targets.
// The app reads one hot key over and over, so after the first read its near cache answers (README,
// "Shared context"); CONTEXT_CACHE_MB=0 in the environment measures every read going to Redis.
//
//   npm run bench:context              (builds into .next-bench-context if needed; local Postgres + Redis)
//   BENCH_SECONDS=10 NEXT_DIST_DIR=.next-bench-x DATABASE_URL=… node bench/context.mjs --build
//   BENCH_ROUNDS=3 npm run bench:context   (runs per target, interleaved, median kept; for a shared machine)
import { createServer } from "node:http";
import { Redis } from "ioredis";
import { register } from "tsx/esm/api";
import { benchEnv, cannon, createKey, ensureBuild, interleaved, listen, loadLine, scratchDatabase, startApp } from "./support.mjs";

register({ tsconfig: "tsconfig.json" });
const { SET_VERSIONED_LUA, indexKeys } = await import("../src/server/adapters/kv/scripts.ts");

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
// a fresh database per run (DATABASE_URL to use another): the audit log gains a row per request
const scratch = process.env.DATABASE_URL ? null : await scratchDatabase("bench_context");
const env = benchEnv(".next-bench-context", scratch?.url);
const SCOPE = "global";
const KEY = "bench/context";
const RECORD = `ctx:e:${SCOPE}|${KEY}`;
// A realistic entry: a deploy note of about 400 bytes.
const VALUE = {
  service: "api",
  state: "rolling",
  version: "2026.11.27-1",
  regions: ["eu-west-1", "us-east-1"],
  checks: { ci: "green", smoke: "green", canary: "pending" },
  note: "Canary at 10 % since 14:02; watch p99 and error rate before promoting. ".repeat(3),
};
const BODY = JSON.stringify({ scope: SCOPE, key: KEY, value: VALUE, ttlSeconds: 3600 });
// The bare writer's record and indexes: the same shape as the app's (record + scope index + scope list), under names of its own.
const BARE_KEYS = [`bench:bare:${RECORD}`, ...indexKeys("bench:bare:i"), ...indexKeys("bench:bare:scopes")];

ensureBuild(env);

// The baseline: the same store work without the framework, auth, rate limit or audit.
const redis = new Redis(env.REDIS_URL);
const fail = (res) => () => void res.writeHead(500).end();
const bare = createServer((req, res) => {
  if (req.method === "GET") {
    redis.hmget(RECORD, "v", "d").then(([v, d]) => {
      if (d === null) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ scope: SCOPE, key: KEY, version: Number(v), ...JSON.parse(d) }));
    }, fail(res));
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const now = Date.now();
    const stored = JSON.stringify({
      value: input.value,
      updatedBy: { type: "api_key", id: "bare" },
      updatedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + input.ttlSeconds * 1000).toISOString(),
    });
    redis.eval(SET_VERSIONED_LUA, BARE_KEYS.length, ...BARE_KEYS, stored, input.ttlSeconds * 1000, "", input.key, "0", input.scope, "1").then((r) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ version: r[1], conflict: false }));
    }, fail(res));
  });
});
const barePort = await listen(bare);
const app = await startApp(env);
try {
  const key = createKey(env, ["--client", "bench-context", "--scopes", "context:read,context:write", "--rate-limit", "read=100000000,write=100000000"]);
  const base = app.base;
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
  console.log(`${SECONDS} s per run, ${ROUNDS} interleaved run(s) per target (median kept); near cache ${env.CONTEXT_CACHE_MB === "0" ? "off" : "on"}; before: ${loadLine()}`);
  // warm up the app's routes, JIT and connection pools
  for (const t of targets.filter((x) => !x.baseline)) await cannon(t, 10, 5).catch(() => {});

  const rows = [];
  for (const connections of [10, 100]) {
    const results = await interleaved(targets, connections, SECONDS, ROUNDS);
    for (const [i, t] of targets.entries()) {
      const r = results[i];
      const row = { name: t.name, group: t.group, baseline: Boolean(t.baseline), connections, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.failedInAnyRun, non2xx: 0 };
      rows.push(row);
      console.log(`${t.name.padEnd(30)} c=${String(connections).padEnd(3)} ${row.rps.toFixed(0).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  errors ${row.errors}  non-2xx ${row.non2xx}`);
    }
  }
  console.log("\nratios (same run):");
  const verdicts = [];
  for (const connections of [10, 100]) {
    const at = rows.filter((r) => r.connections === connections);
    const health = at.find((r) => r.group === "health");
    const floor = at.find((r) => r.group === "floor");
    for (const group of ["read", "write"]) {
      const full = at.find((r) => r.group === group && !r.baseline);
      const bareRow = at.find((r) => r.group === group && r.baseline);
      const ofHealth = full.rps / health.rps;
      console.log(
        `  c=${connections} ${full.name.padEnd(16)} ${ofHealth.toFixed(2)} of /api/health  ${(full.rps / floor.rps).toFixed(2)} of /ai/whoami  ${(full.rps / bareRow.rps).toFixed(3)} of bare  p50 ${full.p50} ms  p99 ${full.p99} ms  errors ${full.errors + full.non2xx}`,
      );
      verdicts.push([`c=${connections} ${full.name}: ≥ 0.70 of /api/health`, ofHealth >= 0.7]);
      if (connections === 10) verdicts.push([`c=10 ${full.name}: p99 ≤ 30 ms`, full.p99 <= 30]);
      else verdicts.push([`c=100 ${full.name}: zero errors (and requests answered)`, full.errors + full.non2xx === 0 && full.rps > 0]);
    }
  }
  console.log("\ntargets:");
  for (const [what, ok] of verdicts) console.log(`  ${ok ? "met    " : "NOT met"}  ${what}`);
  console.log(`after: ${loadLine()}`);
} finally {
  app.stop();
  bare.close();
  redis.disconnect();
  await new Promise((r) => setTimeout(r, 1_000)); // the server's connections close before the database goes
  await scratch?.drop();
}
