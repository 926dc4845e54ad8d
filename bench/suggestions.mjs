#!/usr/bin/env node
// Benchmark: daily suggestions on the local Postgres, in process (through tsx, no build):
//   1. a refresh (signals → rules → findings → briefing, one transaction) over 50 WordPress connections
//      with 8 days of hourly rollups, 20 workflows with 14 days of runs on a local GitHub fake, and
//      100,000 audit events over the last 24 hours — target ≤ 2 s;
//   2. GET /ai/suggestions/daily once the day is computed, through the REST handler (auth, rate limit,
//      audit, serialization) — target p95 ≤ 50 ms.
// BENCH_RUNS (refreshes, default 5), BENCH_REQUESTS (GETs, default 500), BENCH_AUDIT_EVENTS (default 100000).
import { randomUUID } from "node:crypto";
import { loadLine, scratchDatabase } from "./support.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 100_000);
const SITES = 50;
const WORKFLOWS = 20;
const TOKEN = "ghp_benchbenchbenchbenchbenchbench0000";

const { register } = await import("tsx/esm/api");
register({ tsconfig: "tsconfig.json" });
const { parseEnv } = await import("../src/env.ts");
const { createDeps, setDeps } = await import("../src/server/deps.ts");
const { createKeyValueStore } = await import("../src/server/adapters/kv/index.ts");
const { systemActor } = await import("../src/server/core/auth/actor.ts");
const { createApiKey } = await import("../src/server/core/auth/key-store.ts");
const { syncRepos } = await import("../src/server/features/repos/registry.ts");
const { computeSuggestions } = await import("../src/server/features/suggestions/service.ts");
const { handleRest } = await import("../src/server/api/rest.ts");
const { startGitHubFake } = await import("../tests/fakes/github.ts");
const { addRepo, commit } = await import("../tests/fakes/github-data.ts");

const now = new Date();
const iso = (ms) => new Date(ms).toISOString();
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

// ------------------------------------------------------------------ GitHub: one repo, 20 workflows, 14 days of runs
const github = await startGitHubFake(TOKEN);
const repo = addRepo(github.data, "acme/bench");
commit(github.data, repo, { files: { "README.md": "bench" }, message: "init" });
let runId = 1;
for (let w = 0; w < WORKFLOWS; w++) {
  for (let i = 0; i < 20; i++) {
    const created = now.getTime() - (i * 14 * 86_400_000) / 20 - 60_000;
    const failed = w % 4 === 0 ? i % 2 === 0 : i % 10 === 0;
    const seconds = 120 + w * 10 + (i < 10 ? 200 : 0);
    repo.runs.push({
      id: runId++,
      name: `workflow-${w}`,
      workflow_id: 1000 + w,
      head_branch: "main",
      head_sha: "a".repeat(40),
      event: "push",
      status: "completed",
      conclusion: failed ? "failure" : "success",
      run_number: i + 1,
      run_attempt: 1,
      created_at: iso(created),
      run_started_at: iso(created),
      updated_at: iso(created + seconds * 1000),
      html_url: `https://github.com/acme/bench/actions/runs/${runId}`,
    });
  }
}

// ------------------------------------------------------------------ the app's deps on a scratch database
const db = await scratchDatabase("test_bench_suggestions");
const sites = Array.from({ length: SITES }, (_, i) => `site${i}=http://127.0.0.1:9/site${i}`).join(",");
const env = parseEnv({
  ...process.env,
  NODE_ENV: "production",
  DATABASE_URL: db.url,
  GITHUB_TOKEN: TOKEN,
  GITHUB_API_URL: github.url,
  GITHUB_REPO: "acme/bench",
  WP_SITES: sites,
  OPENAI_API_KEY: "",
  PROBE_INTERVAL_SECONDS: "0",
});
const deps = await createDeps({ env, database: { url: db.url }, kv: createKeyValueStore({}) });
setDeps(deps);
const system = { actor: systemActor("bench"), requestId: "bench", surface: "system" };

try {
  await syncRepos(deps);
  const t0 = performance.now();
  // 50 connections: state, Site Health on some, 8 days of hourly rollups (a few slow or failing)
  await deps.db.$executeRawUnsafe(
    `INSERT INTO "connection_state" ("id", "kind", "state", "since", "checked_at", "latency_ms", "error", "details")
     SELECT 'wordpress-site' || i, 'wp-rest', CASE WHEN i % 10 = 0 THEN 'down' ELSE 'up' END, now() - interval '3 hours', now(), 120, CASE WHEN i % 10 = 0 THEN 'ECONNREFUSED' END,
            jsonb_build_object('siteHealth', jsonb_build_object('checked', true, 'tests', CASE WHEN i % 7 = 0 THEN jsonb_build_array(jsonb_build_object('test', 'https_status', 'label', 'HTTPS is not used', 'status', 'critical')) ELSE '[]'::jsonb END))
       FROM generate_series(0, ${SITES - 1}) AS i`,
  );
  await deps.db.$executeRawUnsafe(
    `INSERT INTO "probe_rollup" ("connection_id", "resolution", "bucket", "up", "down", "latency_sum", "latency_count", "latency_max")
     SELECT 'wordpress-site' || i, 'hour', date_trunc('hour', now()) - h * interval '1 hour', 60 - CASE WHEN i % 5 = 0 AND h % 3 = 0 THEN 6 ELSE 0 END, CASE WHEN i % 5 = 0 AND h % 3 = 0 THEN 6 ELSE 0 END,
            60 * (100 + CASE WHEN i % 6 = 0 AND h < 24 THEN 300 ELSE 0 END + (h % 7) * 5), 60, 600
       FROM generate_series(0, ${SITES - 1}) AS i, generate_series(0, 191) AS h`,
  );
  // the audit log: appended through the chain function in batches, spread over the last 24 hours, 8 clients
  for (let done = 0; done < AUDIT_EVENTS; done += 5_000) {
    await deps.db.$executeRawUnsafe(
      `SELECT count(*) FROM audit_append((
         SELECT jsonb_agg(jsonb_build_object('at', to_char((now() - (n % 86000) * interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'actorType', 'api_key', 'actorId', 'k' || (n % 8), 'clientId', 'client-' || (n % 8), 'action', 'GET /ai/status', 'resourceType', 'status', 'target', NULL,
           'outcome', CASE WHEN n % 13 = 0 THEN 'failure' ELSE 'success' END, 'status', CASE WHEN n % 8 = 3 AND n % 5 = 0 THEN 404 WHEN n % 8 = 5 AND n % 97 = 0 THEN 500 ELSE 200 END,
           'latencyMs', 3, 'requestId', 'r' || n, 'surface', 'rest', 'ip', NULL, 'input', NULL, 'detail', NULL))
           FROM generate_series($1::int, $2::int) AS n))`,
      done,
      Math.min(AUDIT_EVENTS, done + 5_000) - 1,
    );
  }
  console.log(
    `seeded ${SITES} connections (8 days of hourly rollups), ${WORKFLOWS} workflows (${repo.runs.length} runs), ${AUDIT_EVENTS} audit events in ${Math.round(performance.now() - t0)} ms; ${loadLine()}`,
  );

  // ---------------------------------------------------------------- 1. refreshes
  const walls = [];
  for (let run = 1; run <= RUNS; run++) {
    const t = performance.now();
    const result = await computeSuggestions(deps, { ...system, requestId: `bench-${run}` }, { mode: "refresh" });
    const wall = performance.now() - t;
    walls.push(wall);
    console.log(
      `refresh ${run}: ${Math.round(wall)} ms — ${result.findings.length} live findings (${result.counts.critical} critical, ${result.counts.warning} warning, ${result.counts.info} info), gaps ${result.briefing.gaps.length}`,
    );
  }
  const warm = walls.slice(1).sort((a, b) => a - b);
  const worstRefresh = warm.at(-1) ?? walls[0];

  // ---------------------------------------------------------------- 2. GET /ai/suggestions/daily
  const { key } = await createApiKey(deps.audit, system, {
    clientId: "bench-suggestions",
    scopes: ["suggestions:read", "metrics:read"],
    expiresAt: null,
    rateLimits: { read: 1_000_000, write: 1_000, expensive: 1_000 },
  });
  const get = async (path) => {
    const res = await handleRest(new Request(`http://localhost${path}`, { headers: { "x-api-key": key, "x-request-id": randomUUID() } }));
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return res.text();
  };
  // interleaved with /ai/whoami (authenticated, rate-limited, audited, nothing else): the baseline of the same moment
  const paths = ["/ai/suggestions/daily", "/ai/whoami"];
  for (let i = 0; i < 20; i++) for (const p of paths) await get(p);
  const times = Object.fromEntries(paths.map((p) => [p, []]));
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i++) {
    for (const p of paths) {
      const t = performance.now();
      const body = await get(p);
      times[p].push(performance.now() - t);
      if (p === paths[0]) bytes = body.length;
    }
  }
  for (const p of paths) times[p].sort((a, b) => a - b);
  const p95 = percentile(times[paths[0]], 0.95);
  for (const p of paths) {
    const t = times[p];
    console.log(
      `GET ${p} × ${REQUESTS} (sequential${p === paths[0] ? `, ${bytes} bytes` : ""}): p50 ${percentile(t, 0.5).toFixed(1)} ms, p95 ${percentile(t, 0.95).toFixed(1)} ms, max ${t.at(-1).toFixed(1)} ms`,
    );
  }
  console.log(`daily/whoami p95 ratio ${(p95 / percentile(times[paths[1]], 0.95)).toFixed(2)}; ${loadLine()}`);
  const refreshOk = worstRefresh <= 2_000;
  const getOk = p95 <= 50;
  console.log(`${refreshOk ? "OK" : "NOT MET"}: refresh ≤ 2 s (cold ${Math.round(walls[0])} ms, worst warm ${Math.round(worstRefresh)} ms)`);
  console.log(`${getOk ? "OK" : "NOT MET"}: GET daily p95 ≤ 50 ms (${p95.toFixed(1)} ms)`);
  if (!refreshOk || !getOk) process.exitCode = 1;
} finally {
  await deps.database.close();
  await deps.kv.close();
  await github.close();
  await db.drop().catch((err) => console.warn(`could not drop the bench database: ${err.message}`));
}
// the app's background timers (metrics flush, event listener) would keep the process alive
process.exit(process.exitCode ?? 0);
