#!/usr/bin/env node
// Benchmark: 10,000 notification events through the outbox to a local webhook receiver (node:http,
// signature checked, idempotency keys deduplicated), on the real Postgres. Two phases:
//   steady   — events written at BENCH_RATE per second (default 400) in small transactions while the
//              drain runs every second, as the notify-outbox job would with a one-second schedule:
//              deliveries/s and event-to-delivery latency (p50, p95, max);
//   backlog  — the same number of events written at once, then drained: the drain's own throughput.
// Targets: ≥ 200 deliveries/s, p95 ≤ 2 s in the steady phase.
//
//   node bench/notify.mjs                       (a scratch database on the local Postgres, dropped after)
//   BENCH_EVENTS=2000 BENCH_RATE=300 node bench/notify.mjs
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { register } from "tsx/esm/api";
import { listen, loadLine, scratchDatabase } from "./support.mjs";

register({ tsconfig: "tsconfig.json" });
const { parseEnv } = await import("../src/env.ts");
const { createDeps } = await import("../src/server/deps.ts");
const { createKeyValueStore } = await import("../src/server/adapters/kv/index.ts");
const { drainOutbox } = await import("../src/server/features/notifications/drain.ts");
const { enqueueNotification } = await import("../src/server/features/notifications/outbox.ts");

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 400);
const SECRET = "bench-secret";

const arrivals = new Map(); // idempotency key → { at, occurredAt }
let badSignatures = 0;
let repeats = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const sig = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    if (req.headers["x-orchestrator-signature-256"] !== sig) badSignatures++;
    const key = req.headers["idempotency-key"];
    if (arrivals.has(key)) repeats++;
    else arrivals.set(key, { at: Date.now(), occurredAt: Date.parse(JSON.parse(body).occurredAt) });
    res.writeHead(200).end("ok");
  });
});
const port = await listen(server);

const scratch = await scratchDatabase("bench_notify");
const env = parseEnv({ NODE_ENV: "production", NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, NOTIFY_WEBHOOK_SECRET: SECRET });
const deps = await createDeps({ env, database: { url: scratch.url }, kv: createKeyValueStore({}) });
const event = (i) => ({ type: "job.late", data: { job: `bench-${i}`, expectedAt: new Date().toISOString(), lateBySeconds: 60, lastRunAt: null } });

async function write(from, count) {
  await deps.db.$transaction(async (tx) => {
    for (let i = from; i < from + count; i++) await enqueueNotification(tx, event(i));
  });
}

/** The drain every second (the next run starts on the next whole second after the previous one ends). */
function drainEverySecond(until) {
  let stop = false;
  const done = (async () => {
    while (!stop) {
      await drainOutbox(deps, { budgetMs: 5_000 });
      if (until()) break;
      await new Promise((r) => setTimeout(r, 1_000 - (Date.now() % 1_000)));
    }
  })();
  return { done, stop: () => (stop = true) };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function steady() {
  arrivals.clear();
  const t0 = Date.now();
  const drain = drainEverySecond(() => arrivals.size >= EVENTS);
  const perTick = Math.max(1, Math.round(RATE / 10));
  // up to four writing transactions at once, as several requests of an app would be
  const inFlight = new Set();
  for (let i = 0; i < EVENTS; i += perTick) {
    if (inFlight.size >= 4) await Promise.race(inFlight);
    const w = write(i, Math.min(perTick, EVENTS - i)).finally(() => inFlight.delete(w));
    inFlight.add(w);
    const due = t0 + ((i + perTick) / RATE) * 1_000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  await Promise.all(inFlight);
  const written = (Date.now() - t0) / 1000;
  await drain.done;
  const lat = [...arrivals.values()].map((a) => a.at - a.occurredAt).sort((a, b) => a - b);
  const last = Math.max(...[...arrivals.values()].map((a) => a.at));
  return { written, seconds: (last - t0) / 1000, rate: EVENTS / ((last - t0) / 1000), p50: pct(lat, 50), p95: pct(lat, 95), max: lat.at(-1) };
}

async function backlog() {
  arrivals.clear();
  for (let i = 0; i < EVENTS; i += 500) await write(i, Math.min(500, EVENTS - i));
  const t0 = Date.now();
  while (arrivals.size < EVENTS) await drainOutbox(deps, { budgetMs: 60_000 });
  const seconds = (Date.now() - t0) / 1000;
  return { seconds, rate: EVENTS / seconds };
}

try {
  console.log(`notify bench: ${EVENTS} events, steady phase written at ${RATE}/s, drain every second; ${loadLine()}`);
  const s = await steady();
  console.log(`steady : events written in ${s.written.toFixed(1)} s (${(EVENTS / s.written).toFixed(0)}/s achieved of ${RATE}/s asked)`);
  console.log(`steady : ${s.rate.toFixed(0)} deliveries/s over ${s.seconds.toFixed(1)} s; event→delivery p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms`);
  const b = await backlog();
  console.log(`backlog: ${EVENTS} queued deliveries drained in ${b.seconds.toFixed(1)} s = ${b.rate.toFixed(0)} deliveries/s`);
  console.log(`signatures bad: ${badSignatures}, repeats: ${repeats}`);
  console.log(`targets: ≥ 200/s ${s.rate >= 200 ? "met" : "MISSED"} steady, ${b.rate >= 200 ? "met" : "MISSED"} backlog; p95 ≤ 2 s ${s.p95 <= 2_000 ? "met" : "MISSED"}`);
} finally {
  await deps.database.close();
  server.close();
  await scratch.drop();
}
