#!/usr/bin/env node
// Benchmark: the audit log on the local Postgres.
//  1. chained appends per second: 1 caller, then 8 writers two ways: 8 concurrent callers in one process (group
//     commit shares statements) and 8 processes' worth of pools each committing a change + its event
//     per transaction (the chain lock serializes them);
//  2. sealing + archiving (gzip NDJSON to the local folder sink) 1,000,000 events, in a child process
//     so its peak RSS is the seal's own. Targets: ≥ 2,000 events/s; ≤ 60 s and ≤ 300 MB.
//
//   node bench/audit.mjs                      (a fresh database on the local Postgres, dropped at the end)
//   BENCH_EVENTS=200000 BENCH_SECONDS=5 node bench/audit.mjs
//   BENCH_SEAL_HEAP_MB=96 node bench/audit.mjs   (the seal under a 96 MB heap; the product seals without a cap, so the figures are taken without one)
//   BENCH_DB_PREFIX=mine_audit node bench/audit.mjs  (the scratch database's name prefix; default bench_audit)
//   BENCH_COMPARE=0 node bench/audit.mjs          (without the archive-file comparison: four extra passes over the rows)
import { execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { register } from "tsx/esm/api";
import { scratchDatabase } from "./support.mjs";

register({ tsconfig: "tsconfig.json" });
const { parseEnv } = await import("../src/env.ts");

const DAY = 86_400_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const WRITERS = 8;
const KEY = `ed25519:${randomBytes(32).toString("base64")}`;

const event = (at, n) => ({
  at,
  actorType: "api_key",
  actorId: "bench",
  clientId: "bench",
  action: "context.put",
  resourceType: "context",
  target: `global/bench-${n % 1000}`,
  outcome: "success",
  status: 200,
  latencyMs: 3,
  requestId: randomUUID(),
  surface: "rest",
  ip: "127.0.0.1",
  input: { scope: "global", key: `bench-${n % 1000}`, value: { state: "rolling", n } },
  detail: { version: n, previousVersion: n - 1, conflict: false },
});

async function openDeps(url, dataDir) {
  const { createDeps } = await import("../src/server/deps.ts");
  const { createKeyValueStore } = await import("../src/server/adapters/kv/index.ts");
  return createDeps({ env: parseEnv({ NODE_ENV: "production", DATABASE_URL: url, DATA_DIR: dataDir, AUDIT_SIGNING_KEY: KEY }), kv: createKeyValueStore({}) });
}

async function sealChild() {
  // only what sealing needs (not every adapter of the app), so the peak RSS is the seal's
  const { openDatabase } = await import("../src/server/adapters/db/index.ts");
  const { AuditLog } = await import("../src/server/core/audit/log.ts");
  const { openAuditLifecycle } = await import("../src/server/core/audit/lifecycle.ts");
  const { sealSegments } = await import("../src/server/core/audit/seal.ts");
  const database = await openDatabase({ url: process.env.BENCH_URL });
  const life = openAuditLifecycle(parseEnv({ NODE_ENV: "production", DATA_DIR: process.env.BENCH_DATA_DIR, AUDIT_SIGNING_KEY: KEY }));
  // where the RSS goes while sealing: V8's heap, buffers outside it (pg's socket chunks, gzip's), the rest native
  const MB = (b) => Math.round(b / 1024 / 1024);
  const baseline = process.memoryUsage();
  let peak = baseline;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = m;
  };
  const sampler = setInterval(sample, 50);
  const t0 = performance.now();
  const result = await sealSegments({ database, audit: new AuditLog(database.prisma, database.sql) }, life);
  const ms = performance.now() - t0;
  clearInterval(sampler);
  const breakdown = (m) => ({ rss: MB(m.rss), heapTotal: MB(m.heapTotal), heapUsed: MB(m.heapUsed), external: MB(m.external), arrayBuffers: MB(m.arrayBuffers) });
  process.stderr.write(`seal memory (MB) at start ${JSON.stringify(breakdown(baseline))}; at peak RSS ${JSON.stringify(breakdown(peak))}\n`);
  await life.close();
  await database.close();
  process.stdout.write(
    `${JSON.stringify({ ms, baselineMB: baseline.rss / 1024 / 1024, maxRssMB: process.resourceUsage().maxRSS / 1024, sealed: result.sealed.map((m) => ({ segment: m.segment, count: m.count })) })}\n`,
  );
}

/** The seal's archive file alone over the same rows, pages read in turn (before) and read ahead (auditRows now), then gzip level 1 for scale. */
async function archiveCompareChild() {
  const { openDatabase } = await import("../src/server/adapters/db/index.ts");
  const { auditRows, ROW_PAGE } = await import("../src/server/core/audit/rows.ts");
  const { Readable } = await import("node:stream");
  const { pipeline } = await import("node:stream/promises");
  const { createGzip } = await import("node:zlib");
  const { createWriteStream, statSync } = await import("node:fs");
  const database = await openDatabase({ url: process.env.BENCH_URL });
  const file = path.join(process.env.BENCH_DATA_DIR, "compare.ndjson.gz");
  const time = async (name, level, rows) => {
    const t0 = performance.now();
    async function* chunks() {
      let buffer = [];
      for await (const row of rows()) {
        buffer.push(JSON.stringify(row));
        if (buffer.length >= 1_000) yield `${buffer.splice(0).join("\n")}\n`;
      }
      if (buffer.length) yield `${buffer.join("\n")}\n`;
    }
    await pipeline(Readable.from(chunks()), createGzip({ level }), createWriteStream(file));
    return { name, ms: performance.now() - t0, mb: statSync(file).size / 1024 / 1024 };
  };
  // the reader as it was: each page asked for once the previous one is consumed
  async function* inTurn() {
    let from = 1;
    for (;;) {
      const page = [];
      for await (const row of auditRows(database, from, from + ROW_PAGE - 1)) page.push(row);
      yield* page;
      if (page.length < ROW_PAGE) return;
      from += ROW_PAGE;
    }
  }
  const ahead = () => auditRows(database, 1);
  const results = [
    await time("pages in turn, gzip 6 (before)", 6, inTurn),
    await time("pages read ahead, gzip 6 (now)", 6, ahead),
    await time("pages in turn, gzip 6 (before, again)", 6, inTurn),
    await time("pages read ahead, gzip 1", 1, ahead),
  ];
  await database.close();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function runChild(flag, env, heap = []) {
  const child = spawn(process.execPath, [...heap, process.argv[1], flag], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  await new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${flag} exited ${code}`)))));
  return JSON.parse(out.trim().split("\n").at(-1));
}

if (process.argv.includes("--seal-child")) {
  await sealChild();
  process.exit(0);
}
if (process.argv.includes("--compare-child")) {
  await archiveCompareChild();
  process.exit(0);
}

const scratch = await scratchDatabase(process.env.BENCH_DB_PREFIX ?? "bench_audit");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-audit-"));
try {
  console.log(
    `audit bench ${new Date().toISOString()} — ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const deps = await openDeps(scratch.url, dataDir);

  // 1. a million events in one complete window, then seal + archive them in a child process
  const { canonicalContent } = await import("../src/server/core/audit/chain.ts");
  const span = 7 * DAY;
  const windowStart = Math.floor((Date.now() - 3 * span) / span) * span;
  const t0 = performance.now();
  for (let done = 0; done < EVENTS; done += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, EVENTS - done) }, (_, i) => {
      const e = event(new Date(windowStart + ((done + i) % span)), done + i);
      return canonicalContent({ ...e, at: e.at.toISOString() });
    });
    await deps.database.sql.query("SELECT count(*) FROM audit_append($1::jsonb)", [JSON.stringify(batch)]);
  }
  console.log(`loaded ${EVENTS} events through audit_append in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // a week of rows has met autovacuum before it is sealed; a fresh load has not (first reads would set hint bits)
  await deps.database.sql.query("VACUUM (ANALYZE) audit_event");

  const childEnv = { BENCH_URL: scratch.url, BENCH_DATA_DIR: dataDir };
  if (process.env.BENCH_COMPARE !== "0") {
    for (const c of await runChild("--compare-child", childEnv)) console.log(`archive file, ${c.name}: ${(c.ms / 1000).toFixed(1)} s, ${c.mb.toFixed(0)} MB (load ${os.loadavg()[0].toFixed(1)})`);
  }
  // BENCH_SEAL_HEAP_MB caps the child's V8 heap: a seal that held its rows could not finish under a small cap
  const heap = process.env.BENCH_SEAL_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_SEAL_HEAP_MB}`] : [];
  const r = await runChild("--seal-child", childEnv, heap);
  const archived = execFileSync("du", ["-sm", path.join(dataDir, "audit-archive")], { encoding: "utf8" }).split("\t")[0];
  console.log(
    `seal + archive (${r.sealed.map((s) => `segment ${s.segment}: ${s.count} events`).join(", ")}): ${(r.ms / 1000).toFixed(1)} s, ${(EVENTS / (r.ms / 1000)).toFixed(0)} events/s; peak RSS ${r.maxRssMB.toFixed(0)} MB (process at start of seal: ${r.baselineMB.toFixed(0)} MB); archive ${archived} MB on disk (load ${os.loadavg()[0].toFixed(1)})`,
  );

  // 2a. 1 caller, then 8 concurrent callers of one process: each awaits its own event, group commit batches them
  for (const writers of [1, WRITERS]) {
    let n = 0;
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < until) await deps.audit.record(event(new Date(), n++));
      }),
    );
    console.log(`chained appends, ${writers} caller(s) in one process (group commit): ${(n / SECONDS).toFixed(0)} events/s (load ${os.loadavg()[0].toFixed(1)})`);
  }
  // 2b. 8 instances (a connection pool each), each appending one event per statement: the chain lock serializes them
  {
    const instances = await Promise.all(Array.from({ length: WRITERS }, () => openDeps(scratch.url, dataDir)));
    let n = 0;
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      instances.map(async (d) => {
        while (performance.now() < until) await d.audit.record(event(new Date(), n++));
      }),
    );
    console.log(`chained appends, ${WRITERS} instances, one event per statement each: ${(n / SECONDS).toFixed(0)} events/s (load ${os.loadavg()[0].toFixed(1)})`);
    await Promise.all(instances.map((d) => d.database.close()));
  }
  await deps.database.close();
} finally {
  await scratch.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
