// Search latency on the indexer benchmark's small corpus (plugged in by bench/index.mjs once that corpus
// is indexed): 200 queries through the search service, derived from the corpus itself so every run asks
// the same ones — half identifiers as they appear in the code (camelCase, PascalCase, snake_case), half
// questions in prose built from those identifiers' words and the files' folders. Sequential, after a
// short warm-up, as one client would ask; prints p50/p95/max and the load average next to them.
import { readFileSync } from "node:fs";
import path from "node:path";

const QUERIES = 200;
const WARMUP = 10;
const IDENTIFIER = /\b(?:[a-z]+(?:[A-Z][a-z0-9]+)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+|[a-z]+(?:_[a-z0-9]+)+)\b/g;
const PROSE = [(w, dir) => `where is ${w} handled in ${dir}?`, (w) => `how does ${w} work?`, (w) => `which code deals with ${w}`, (w, dir) => `${dir} ${w}`];

const words = (identifier) =>
  identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase();

/** Distinct identifiers of the corpus, taken from files spread evenly over it, in a fixed order. */
function identifiersOf(corpusDir, files, want) {
  const seen = new Set();
  const out = [];
  for (let pass = 0; out.length < want && pass < 8; pass++) {
    for (let k = 0; k < files.length && out.length < want; k += Math.max(1, Math.floor(files.length / want))) {
      const file = files[(k + pass) % files.length];
      const found = readFileSync(path.join(corpusDir, file), "utf8").match(IDENTIFIER) ?? [];
      const pick = found.filter((id) => id.length >= 6 && id.length <= 40 && !seen.has(id))[pass];
      if (!pick) continue;
      seen.add(pick);
      out.push({ id: pick, dir: path.basename(path.dirname(file)) });
    }
  }
  return out;
}

export function queriesOf(corpusDir, files) {
  const ids = identifiersOf(corpusDir, files, QUERIES);
  return ids.map(({ id, dir }, i) => (i % 2 === 0 ? id : PROSE[(i >> 1) % PROSE.length](words(id), dir.replace(/[-_.]/g, " "))));
}

export async function run({ deps, repoId, corpusDir, files }) {
  const { searchCode } = await import("../src/server/features/search/service.ts");
  const queries = queriesOf(corpusDir, files);
  const view = { rawCode: false, highlight: false }; // an API key's view, as GPT calls it
  const search = (q) => searchCode({ db: deps.db }, { q, repo: repoId, limit: 10 }, view);
  for (const q of queries.slice(0, WARMUP)) await search(q);
  const times = [];
  let empty = 0;
  for (const q of queries) {
    const t = performance.now();
    const out = await search(q);
    times.push(performance.now() - t);
    if (out.results.length === 0) empty++;
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(
    `\nsearch over ${times.length} queries (${files.length}-file corpus, ${times.length - empty} with results): p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms (load ${load})`,
  );
  console.log(`target: search p95 ≤ 100 ms → ${pct(95) <= 100 ? "met" : "NOT met"}`);
}
