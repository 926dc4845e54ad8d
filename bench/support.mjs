// Shared by the benchmarks: a production build in a folder of its own, the app started on a free port
// against the local Postgres + Redis, a CLI key for it, and autocannon runs.
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";

/**
 * A fresh database for one run, on BENCH_DATABASE_URL's server (default the local Postgres), dropped by
 * `drop`: a table grown by earlier runs (the audit log gains a row per request) would skew the next.
 */
export async function scratchDatabase(prefix) {
  const base = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const drop = async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  return { url: url.toString(), drop };
}

/**
 * The environment of a bench build and its server: local services, its own build folder, production
 * mode, and DATABASE_URL when set (else the caller passes a scratch database's).
 */
export function benchEnv(defaultDist, databaseUrl) {
  return {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL ?? databaseUrl,
    // a scratch database gets a data folder of its own: audit checkpoints archived there belong to its chain,
    // and the next run's fresh database would read them as its own tail, removed
    DATA_DIR: process.env.DATA_DIR ?? (process.env.DATABASE_URL || !databaseUrl ? undefined : mkdtempSync(path.join(os.tmpdir(), "oo-bench-data-"))),
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? defaultDist,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
  };
}

/** `next build` into env.NEXT_DIST_DIR unless a build is there already (or `--build` is given). */
export function ensureBuild(env) {
  const dist = env.NEXT_DIST_DIR;
  if (existsSync(`${dist}/BUILD_ID`) && !process.argv.includes("--build")) return;
  console.log(`building into ${dist} …`);
  execFileSync(process.execPath, ["scripts/prisma-generate.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit", env });
}

export function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
}

export async function freePort() {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  return port;
}

export async function waitFor(url, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up`);
}

/**
 * The Node flags `npm start` gives the server (package.json's start script: `node <flags> …/next start`),
 * so a bench measures the server as it runs in production, and an in-process bench its search as the
 * server runs it (the young generation's size alone moved a search's CPU by a quarter).
 */
export const START_NODE_FLAGS = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).scripts.start.match(/^node((?: --\S+)*) /)?.[1] ?? "").trim().split(" ").filter(Boolean);

/**
 * `next start` of the build on a free port, with `npm start`'s Node flags, in its own process group so
 * `stop` ends all of it; `pid` is the server's process. `nodeArgs` go to its Node too (`--cpu-prof`,
 * which NODE_OPTIONS refuses).
 */
export async function startApp(env, nodeArgs = [], cwd = process.cwd()) {
  // BENCH_PORT: a port of one's own on a shared machine; a free one otherwise
  const port = Number(process.env.BENCH_PORT) || (await freePort());
  const command = [process.execPath, ...START_NODE_FLAGS, ...nodeArgs, "node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"];
  // BENCH_SERVER_CGROUP: a memory cgroup's folder (made by root, its limit set) the server runs in from its
  // first instruction, as on a host that gives it 512 MB; Node sizes its heap from that limit
  const cgroup = process.env.BENCH_SERVER_CGROUP;
  const [file, ...args] = cgroup ? ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, ...command] : command;
  const app = spawn(file, args, {
    env,
    cwd,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-app.pid, "SIGTERM");
    } catch {}
  };
  try {
    await waitFor(`${base}/api/health`);
  } catch (err) {
    stop();
    throw err;
  }
  return { base, stop, pid: app.pid };
}

/** A key from the CLI (`keys create` prints it alone on its last line). */
export function createKey(env, args, cwd = process.cwd()) {
  // every key names the person accountable for it: the app's first admin, made at its first start
  const owner = args.includes("--owner") ? [] : ["--owner", "admin@localhost"];
  return execFileSync(process.execPath, ["bin/orchestrator.mjs", "keys", "create", ...args, ...owner], { env, cwd })
    .toString()
    .trim()
    .split("\n")
    .pop();
}

/** One autocannon run: { url, method?, headers?, body?, paths? } at `connections` for `seconds`; each connection asks `paths` in turn when given. */
export function cannon({ url, method = "GET", headers = {}, body, paths }, connections, seconds) {
  const requests = paths?.map((p) => ({ path: p }));
  return new Promise((resolve, reject) => {
    autocannon({ url, method, headers, body, requests, connections, duration: seconds, pipelining: 1 }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

/**
 * Each target measured `rounds` times, interleaved (A B C, A B C, …), keeping each target's run of
 * median throughput: drift in what else a shared machine is doing then hits every target alike, and
 * the ratios between them stay meaningful. Returns the kept autocannon results, in target order, each
 * with `failedInAnyRun`: errors, timeouts and non-2xx answers summed over all its runs.
 */
export async function interleaved(targets, connections, seconds, rounds) {
  const runs = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) runs[i].push(await cannon(target, connections, seconds));
  }
  return runs.map((r) => {
    const kept = [...r].sort((a, b) => a.requests.average - b.requests.average)[Math.floor((r.length - 1) / 2)];
    return { ...kept, failedInAnyRun: r.reduce((n, x) => n + x.errors + x.timeouts + x.non2xx, 0) };
  });
}

/** What else the machine was doing: figures from a shared machine are only comparable within one run. */
export function loadLine() {
  const [one, five] = os.loadavg();
  return `load average ${one.toFixed(2)} (1 min) ${five.toFixed(2)} (5 min) on ${os.cpus().length} cores`;
}

/** CPU time (ms) the process has used, all threads (Linux: /proc). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
}

/**
 * What the searches are asked, in turn (each connection goes through them in order): questions a developer
 * would ask of this checkout, which the bench indexes. One question asked over and over would measure that
 * one answer (and anything that remembered it), not the work of searching.
 */
export const SEARCH_QUESTIONS = [
  "audit",
  "rate limit refill",
  "verify the audit chain",
  "where is the index lock lease taken",
  "proximity of question words",
  "api key cache",
  "github webhook signature",
  "context entry expiry",
  "migration advisory lock",
  "intent approval policy",
];
