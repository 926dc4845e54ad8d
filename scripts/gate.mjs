#!/usr/bin/env node
// The promote gate: search quality and read latency must hold before a build is promoted.
//  - recall@10 ≥ GATE_RECALL (default 0.95) on every evaluation set of bench/search-eval.mjs
//    (full-text search over real codebases in four languages, indexed by the product on a scratch database);
//  - p95 of search (the slowest read operation: every other read is one indexed lookup) ≤ GATE_P95_MS
//    (default 1,000 ms: far under the 4 s the product promises, so a loaded machine does not flip it).
// Prints a report; exits 1 when either fails, 2 when the evaluation itself could not run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const RECALL = Number(process.env.GATE_RECALL ?? 0.95);
const P95_MS = Number(process.env.GATE_P95_MS ?? 1_000);
const dir = mkdtempSync(path.join(os.tmpdir(), "gate-"));
const out = path.join(dir, "search-eval.json");
try {
  try {
    execFileSync(process.execPath, ["bench/search-eval.mjs", "--json", out], { stdio: ["ignore", "inherit", "inherit"] });
  } catch (err) {
    console.error(`gate: the search evaluation did not run: ${err.message}`);
    process.exit(2);
  }
  const figures = JSON.parse(readFileSync(out, "utf8"));
  const failures = [];
  console.log("\npromote gate");
  for (const s of figures.sets) {
    const ok = s.recallAt10 >= RECALL;
    if (!ok) failures.push(`${s.corpus}: recall@10 ${s.recallAt10.toFixed(3)} < ${RECALL}`);
    console.log(`  ${ok ? "ok  " : "FAIL"} recall@10 ${s.recallAt10.toFixed(3)} (≥ ${RECALL}) — ${s.corpus}, ${s.questions} questions`);
  }
  const latencyOk = figures.latency.p95 <= P95_MS;
  if (!latencyOk) failures.push(`search p95 ${figures.latency.p95} ms > ${P95_MS} ms`);
  console.log(`  ${latencyOk ? "ok  " : "FAIL"} search p95 ${figures.latency.p95} ms (≤ ${P95_MS} ms) over ${figures.latency.queries} queries`);
  if (failures.length) {
    console.log(`\ngate: NOT passed — ${failures.join("; ")}`);
    process.exit(1);
  }
  console.log("\ngate: passed");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
