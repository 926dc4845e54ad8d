#!/usr/bin/env node
// Benchmark: the jobs layer's throughput on the local Postgres. Queues 10,000 no-op jobs, then works
// them with 1 and with 2 worker processes (each: batches of 50, 4 at a time), on a scratch database
// of its own. Prints jobs/s for each, the ratio (target: 2 workers ≥ 1.6× one), and the layer's cost
// per job — one attempt's wall time in the worker: taking the run record, running nothing, recording
// the end (target: p95 ≤ 5 ms). The queue's fetch and completion are shared by a batch and counted in
// the throughput, not per job.
//   node bench/jobs.mjs            BENCH_JOBS=10000 BENCH_BATCH=50 BENCH_CONCURRENCY=4 (env)
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import pg from "pg";
import { scratchDatabase } from "./support.mjs";

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);

function startWorker(env) {
  const child = spawn(process.execPath, ["--import", "tsx/esm", "-e", 'import("./bench/jobs-worker.ts").then((m) => m.main())'], { env, stdio: ["pipe", "pipe", "inherit"] });
  // lines are kept until asked for: a worker may answer before the bench listens
  const received = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on("line", (line) => (waiting.length ? waiting.shift()(line) : received.push(line)));
  const next = () =>
    received.length
      ? Promise.resolve(received.shift())
      : new Promise((resolve, reject) => {
          waiting.push(resolve);
          child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
        });
  return { child, next, send: (line) => child.stdin.write(`${line}\n`) };
}

async function queueJobs(client) {
  // the queue's own insert, in chunks: what `send` does, without 10,000 round trips of set-up
  for (let i = 0; i < JOBS; i += 1_000) {
    const n = Math.min(1_000, JOBS - i);
    await client.query(
      `INSERT INTO pgboss.job (name, data, retry_limit, expire_in, policy) SELECT 'bench-noop', '{"trigger":"manual"}'::jsonb, 0, interval '60 s', 'standard' FROM generate_series(1, $1)`,
      [n],
    );
  }
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function run(url, workers) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const env = { ...process.env, DATABASE_URL: url, NODE_ENV: "production", JOBS_MAINTENANCE_SECONDS: "3600" };
  const procs = Array.from({ length: workers }, () => startWorker(env));
  for (const w of procs) if ((await w.next()) !== "ready") throw new Error("worker did not start");
  await client.query("DELETE FROM pgboss.job WHERE name = 'bench-noop'");
  await client.query("DELETE FROM job_run");
  await queueJobs(client);
  const t0 = performance.now();
  for (const w of procs) w.send("go");
  for (;;) {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM job_run WHERE status = 'succeeded'");
    if (rows[0].n >= JOBS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const attempts = [];
  for (const w of procs) {
    w.send("report");
    attempts.push(...JSON.parse(await w.next()).attempts);
  }
  await client.end();
  return { workers, seconds, jobsPerSecond: JOBS / seconds, p50: pct(attempts, 50), p95: pct(attempts, 95) };
}

/** The baseline: the same two statements an attempt makes (take the run record, record its end) from a bare client. */
async function baseline(url, n = 2_000) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const { rows } = await client.query(
      `INSERT INTO job_run (id, job, queue_job_id, attempt, trigger, status, instance_id, started_at, deadline_at)
       VALUES (gen_random_uuid(), 'baseline', gen_random_uuid()::text, 1, 'manual', 'running', 'bench', now(), now() + interval '60 s') RETURNING id`,
    );
    await client.query(`UPDATE job_run SET status = 'succeeded', finished_at = now(), duration_ms = 0 WHERE id = $1`, [rows[0].id]);
    times.push(performance.now() - t0);
  }
  await client.end();
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

const db = await scratchDatabase("bench_jobs");
try {
  // the first worker to open the database migrates it and creates the queue
  const warm = startWorker({ ...process.env, DATABASE_URL: db.url });
  await warm.next();
  warm.send("report");
  await warm.next();
  const one = await run(db.url, 1);
  const two = await run(db.url, 2);
  for (const r of [one, two]) {
    console.log(
      `${r.workers} worker${r.workers > 1 ? "s" : ""}: ${JOBS} jobs in ${r.seconds.toFixed(2)} s = ${r.jobsPerSecond.toFixed(0)} jobs/s; per-job cost p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms`,
    );
  }
  const base = await baseline(db.url);
  console.log(`baseline (the attempt's two statements from a bare pg client, sequential): p50 ${base.p50.toFixed(2)} ms, p95 ${base.p95.toFixed(2)} ms`);
  console.log(`ratio 2 workers / 1: ${(two.jobsPerSecond / one.jobsPerSecond).toFixed(2)}× (target ≥ 1.6×); per-job p95 ${Math.max(one.p95, two.p95).toFixed(2)} ms (target ≤ 5 ms)`);
} finally {
  await db.drop();
}
