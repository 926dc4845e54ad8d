#!/usr/bin/env node
// Benchmark: what a session heartbeat costs the server beside a read and /api/health, all paced alike. The
// sessions bench's "CPU per PUT" cannot be set against a saturated run's (compare-builds.mjs): a request
// that arrives alone pays its wake-ups and socket writes alone, so at 100 requests a second even /api/health
// costs ~1.6–1.9 ms of CPU per request on this machine. Here one server takes, in interleaved rounds, 100
// clients each sending one request a second: heartbeats (PUT /ai/cursor/session of 100 sessions, the same
// state each time), GET /ai/context of one entry, and GET /api/health. Reports the server's CPU per request
// (its whole process group, from /proc) for each round; the first round warms the server up.
//
//   node bench/sessions-paced.mjs .next-bench-sessions                 (a build folder; build it first)
//   PACED_ROUNDS=3 PACED_SECONDS=8 BENCH_PORT=3400 node bench/sessions-paced.mjs .next-a .next-b   (builds one after another)
import { readdirSync, readFileSync } from "node:fs";
import { benchEnv, createKey, loadLine, scratchDatabase, startApp } from "./support.mjs";

const SECONDS = Number(process.env.PACED_SECONDS ?? 8);
const ROUNDS = Number(process.env.PACED_ROUNDS ?? 3);
const CLIENTS = 100;
const dists = process.argv.slice(2);
if (dists.length === 0) {
  console.error("usage: node bench/sessions-paced.mjs <build folder> …");
  process.exit(2);
}

/** CPU time (ms) a process group has used so far: utime + stime of each member, in USER_HZ (100). */
function groupCpuMs(pgid) {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks * 10;
}

const state = (sessionId) =>
  JSON.stringify({
    sessionId,
    repo: "acme/web",
    branch: "main",
    head: "0123456789abcdef0123456789abcdef01234567",
    activeFile: "src/file-0.ts",
    selection: { startLine: 1, endLine: 5 },
    changedFiles: [{ path: "src/file-1.ts", status: "modified", additions: 3, deletions: 1 }],
    diff: "diff --git a/src/file-1.ts b/src/file-1.ts\n--- a/src/file-1.ts\n+++ b/src/file-1.ts\n@@ -1,2 +1,3 @@ export function one() {\n   const x = 1;\n+  const y = 2;\n }\n",
  });

for (const dist of dists) {
  const scratch = await scratchDatabase(process.env.BENCH_DB_PREFIX ?? "bench_paced");
  const env = benchEnv(dist, scratch.url);
  const app = await startApp(env).catch(async (err) => {
    await scratch.drop();
    throw err;
  });
  try {
    const key = createKey(env, ["--client", "bench-cursor", "--scopes", "cursor:write,context:read,context:write", "--rate-limit", "read=100000000,write=100000000"]);
    const headers = { "x-api-key": key, "content-type": "application/json" };
    const ids = Array.from({ length: CLIENTS }, (_, i) => `paced-${i}`);
    const send = async (url, init) => {
      const res = await fetch(url, init);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status}`);
    };
    // the sessions and the entry exist before measuring: every PUT measured is a heartbeat
    for (const id of ids) await send(`${app.base}/ai/cursor/session`, { method: "PUT", headers, body: state(id) });
    await send(`${app.base}/ai/context`, { method: "PUT", headers, body: JSON.stringify({ scope: "global", key: "bench/paced", value: { service: "api" }, ttlSeconds: 3600 }) });
    const targets = {
      heartbeat: (i) => send(`${app.base}/ai/cursor/session`, { method: "PUT", headers, body: state(ids[i]) }),
      "context-get": () => send(`${app.base}/ai/context?scope=global&key=bench%2Fpaced`, { headers }),
      health: () => send(`${app.base}/api/health`),
    };
    const perRequest = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, request] of Object.entries(targets)) {
        const cpu0 = groupCpuMs(app.pid);
        const end = Date.now() + SECONDS * 1000;
        let n = 0;
        await Promise.all(
          ids.map(async (_, i) => {
            await new Promise((r) => setTimeout(r, (i * 1000) / CLIENTS)); // spread over the second
            while (Date.now() < end) {
              const started = Date.now();
              await request(i);
              n++;
              await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
            }
          }),
        );
        (perRequest[name] ??= []).push((groupCpuMs(app.pid) - cpu0) / n);
      }
    }
    console.log(`${dist}: server CPU per request, ${CLIENTS} requests a second, ${ROUNDS} rounds of ${SECONDS} s`);
    for (const [name, ms] of Object.entries(perRequest)) console.log(`  ${name.padEnd(12)} ${ms.map((x) => x.toFixed(2)).join(" / ")} ms`);
    console.log(`  ${loadLine()}`);
  } finally {
    app.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    await scratch.drop();
  }
}
