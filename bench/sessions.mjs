#!/usr/bin/env node
// Benchmark: IDE sessions and the live context stream against a production build on the local Postgres
// and Redis. 100 sessions push every second (PUT /ai/cursor/session; every 5th push of a session moves its
// active file and selection, a new state, the rest are heartbeats) while 20 listeners follow all 100
// session scopes on GET /ai/context/stream, for BENCH_SECONDS (default 60). The sessions push 10 ms apart
// and keep step, so every 5th second brings all 100 new states (a burst of 100 changes within one second,
// the rest heartbeats): the worst case for the change path, kept on purpose. Reports p50/p99/max of the PUT,
// whether every listener received every change (each new state's version, per session), and the server's
// RSS (its whole process group, sampled every 2 s). The listeners run in a worker thread and the bench's
// own event-loop delay is reported, so the PUT latencies measure the server, not the bench.
//
//   node bench/sessions.mjs            (builds into .next-bench-sessions if needed)
//   BENCH_SECONDS=20 node bench/sessions.mjs --build
//   BENCH_PORT=3400 BENCH_CPU_PROF=/tmp/prof node bench/sessions.mjs   (a port of one's own; the server's CPU profile)
//   BENCH_DB_PREFIX=bench_mine BENCH_SLOW=1 node bench/sessions.mjs    (scratch database name prefix; list the slowest PUTs)
//   BENCH_NODE_ARGS="--trace-gc --require ./probe.cjs" node bench/sessions.mjs   (more flags for the server's Node)
//   BENCH_STAGGER=1 node bench/sessions.mjs   (sessions out of step: 20 changes every second instead of 100 every 5th)
//   BENCH_CHANGE_EVERY=1000000 BENCH_LISTENERS=0 node bench/sessions.mjs   (diagnostics: heartbeats only; no listeners)
//   BENCH_URL=http://host:3000 BENCH_WRITER_KEY=… BENCH_READER_KEY=… node bench/sessions.mjs
//                                      (an app already running: no build, RSS of BENCH_PID's process group if given)
import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { benchEnv, createKey, ensureBuild, loadLine, scratchDatabase, startApp } from "./support.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SESSIONS = 100;
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 20);
const CHANGE_EVERY = Number(process.env.BENCH_CHANGE_EVERY ?? 5);
// BENCH_STAGGER=1: the sessions out of step (session i is i pushes ahead), so each second a fifth of them change, not all every 5th second
const PHASE = (i) => (process.env.BENCH_STAGGER === "1" ? i : 0);
const external = process.env.BENCH_URL;
const scratch = process.env.DATABASE_URL || external ? null : await scratchDatabase(process.env.BENCH_DB_PREFIX ?? "bench_sessions");
const env = { ...benchEnv(".next-bench-sessions", scratch?.url), CONTEXT_STREAM_MAX_PER_KEY: String(LISTENERS + 5) };

/** Sums `measure(pid, statFields)` over every process in the group (next start and its server). */
function overGroup(pgid, measure) {
  let sum = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) sum += measure(pid, fields);
    } catch {}
  }
  return sum;
}

/** Resident memory of the group, in MB. */
const groupRssMb = (pgid) => overGroup(pgid, (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0)) / 1024;
/** CPU time (ms) the group has used so far: utime + stime, in USER_HZ (100). */
const groupCpuMs = (pgid) => overGroup(pgid, (_, fields) => Number(fields[11]) + Number(fields[12])) * 10;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

if (!external) ensureBuild(env);
// BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools)
const profile = [...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [])];
const app = external
  ? { base: external.replace(/\/$/, ""), pid: Number(process.env.BENCH_PID ?? 0), stop: () => {} }
  : await startApp(env, profile).catch(async (err) => {
      await scratch?.drop();
      throw err;
    });
const stops = [];
try {
  const limits = ["--rate-limit", "read=100000000,write=100000000"];
  const writer = process.env.BENCH_WRITER_KEY ?? createKey(env, ["--client", "bench-cursor", "--scopes", "cursor:write", ...limits]);
  // a session scope is its writing client's: the listeners are that client's other key (another client would need a grant)
  const reader = process.env.BENCH_READER_KEY ?? createKey(env, ["--client", "bench-cursor", "--scopes", "context:read", ...limits]);
  const ids = Array.from({ length: SESSIONS }, (_, i) => `bench-${i}`);
  const scopes = ids.map((id) => `session:${id}`);
  const state = (id, n) => ({
    sessionId: id,
    repo: "acme/web",
    branch: "main",
    head: "0123456789abcdef0123456789abcdef01234567",
    activeFile: `src/file-${Math.floor(n / CHANGE_EVERY) % 7}.ts`,
    selection: { startLine: 1 + (Math.floor(n / CHANGE_EVERY) % 50), endLine: 5 + (Math.floor(n / CHANGE_EVERY) % 50) },
    changedFiles: [{ path: "src/file-1.ts", status: "modified", additions: 3, deletions: 1 }],
    diff: "diff --git a/src/file-1.ts b/src/file-1.ts\n--- a/src/file-1.ts\n+++ b/src/file-1.ts\n@@ -1,2 +1,4 @@ export function one() {\n   const x = 1;\n+  const y = 2;\n+  const z = 3;\n+  return x + y + z;\n-  return x;\n }\n",
  });
  const put = async (id, n) => {
    const started = performance.now();
    const res = await fetch(`${app.base}/ai/cursor/session`, { method: "PUT", headers: { "x-api-key": writer, "content-type": "application/json" }, body: JSON.stringify(state(id, n)) });
    const body = await res.json();
    return { ms: performance.now() - started, ok: res.ok, body };
  };
  // create the sessions (and warm up the route) before measuring
  for (const [i, id] of ids.entries()) await put(id, PHASE(i));

  // listeners, in a worker thread (sessions-listeners.mjs) so their parsing does not delay the writers' timing
  const query = new URLSearchParams(scopes.map((s) => ["scope", s])).toString();
  const listeners = new Worker(new URL("./sessions-listeners.mjs", import.meta.url), { workerData: { url: `${app.base}/ai/context/stream?${query}`, key: reader, count: LISTENERS } });
  const listenersSaid = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (msg) => msg.type === type && (listeners.off("message", onMessage), resolve(msg));
      listeners.on("message", onMessage);
      listeners.once("error", reject);
    });
  stops.push(() => void listeners.terminate());
  await listenersSaid("ready");
  console.log(`${SESSIONS} sessions pushing every second, ${LISTENERS} listeners on all ${SESSIONS} session scopes, ${SECONDS} s; before: ${loadLine()}`);

  const latencies = [];
  const slow = [];
  const changes = new Set();
  const benchLoop = monitorEventLoopDelay({ resolution: 10 });
  benchLoop.enable();
  let errors = 0;
  let rssMax = 0;
  const rssSamples = [];
  const sampler = setInterval(() => {
    if (!app.pid) return;
    const mb = groupRssMb(app.pid);
    rssSamples.push(mb);
    rssMax = Math.max(rssMax, mb);
  }, 2_000);
  stops.push(() => clearInterval(sampler));
  const cpuBefore = app.pid ? groupCpuMs(app.pid) : 0;
  const end = Date.now() + SECONDS * 1000;
  // the baseline, in the same run: /api/health (no store, no auth) ten times a second beside the load
  const health = [];
  const probing = (async () => {
    while (Date.now() < end) {
      const started = performance.now();
      const res = await fetch(`${app.base}/api/health`).catch(() => null);
      if (res?.ok) health.push(performance.now() - started);
      await res?.arrayBuffer();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await Promise.all(
    ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / SESSIONS)); // spread over the second
      for (let n = 1; Date.now() < end; n++) {
        const tickStart = Date.now();
        const r = await put(id, n + PHASE(i)).catch(() => ({ ok: false, ms: 0 }));
        if (!r.ok) errors++;
        else {
          latencies.push(r.ms);
          if (r.ms > 100) slow.push({ at: new Date(Date.now() - r.ms).toISOString().slice(11, 23), ms: r.ms, id, changed: r.body.changed });
          if (r.body.changed) changes.add(`session:${id}#${r.body.session.version}`);
        }
        await new Promise((res) => setTimeout(res, Math.max(0, 1000 - (Date.now() - tickStart))));
      }
    }),
  );
  await probing;
  benchLoop.disable();
  const cpuUsed = app.pid ? groupCpuMs(app.pid) - cpuBefore : 0;
  // the last changes may still be on their way: wait until every listener has them all, for up to 30 s
  const heard = listenersSaid("seen");
  listeners.postMessage({ type: "stop", expect: [...changes], timeoutMs: 30_000 });
  const { errors: listenerErrors, waitedMs } = await heard;
  const seen = (await heard).seen.map((list) => new Set(list));

  latencies.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  const complete = seen.map((set) => [...changes].every((c) => set.has(c)));
  const missing = seen.map((set) => [...changes].filter((c) => !set.has(c)).length);
  console.log(
    `PUT /ai/cursor/session: ${latencies.length} ok, ${errors} failed; p50 ${percentile(latencies, 50).toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms  max ${latencies[latencies.length - 1].toFixed(1)} ms`,
  );
  console.log(
    `GET /api/health (baseline, same run): ${health.length} ok; p50 ${percentile(health, 50).toFixed(1)} ms  p99 ${percentile(health, 99).toFixed(1)} ms; PUT/health: p50 ×${(percentile(latencies, 50) / percentile(health, 50)).toFixed(1)}, p99 ×${(percentile(latencies, 99) / percentile(health, 99)).toFixed(1)}`,
  );
  console.log(
    `changes (new states): ${changes.size}; listeners that received every one: ${complete.filter(Boolean).length}/${LISTENERS} (missing per listener: ${missing.join(",")}); listener errors ${listenerErrors}; the last arrived ${(waitedMs / 1000).toFixed(1)} s after the writes ended`,
  );
  console.log(
    `bench process event-loop delay: p50 ${(benchLoop.percentile(50) / 1e6).toFixed(1)} ms  p99 ${(benchLoop.percentile(99) / 1e6).toFixed(1)} ms  max ${(benchLoop.max / 1e6).toFixed(1)} ms`,
  );
  if (process.env.BENCH_SLOW)
    for (const x of slow.sort((a, b) => b.ms - a.ms).slice(0, 40)) console.log(`  slow PUT started ${x.at} ${x.ms.toFixed(0)} ms ${x.id} ${x.changed ? "change" : "heartbeat"}`);
  if (app.pid) console.log(`server CPU during the load: ${(cpuUsed / 1000).toFixed(1)} s of ${SECONDS} s (${(cpuUsed / latencies.length).toFixed(2)} ms per PUT, streams included)`);
  console.log(app.pid ? `server RSS (process group): max ${rssMax.toFixed(0)} MB, last ${rssSamples.at(-1)?.toFixed(0)} MB` : "server RSS: not measured (no BENCH_PID)");
  console.log(
    `targets:\n  ${percentile(latencies, 99) <= 30 ? "met    " : "NOT met"}  p99 of PUT ≤ 30 ms\n  ${complete.every(Boolean) && listenerErrors === 0 ? "met    " : "NOT met"}  every listener receives every change`,
  );
  console.log(`after: ${loadLine()}`);
} finally {
  for (const stop of stops) stop();
  app.stop();
  await new Promise((r) => setTimeout(r, 1_000));
  await scratch?.drop();
}
