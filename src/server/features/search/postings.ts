import { queryPreparedOn } from "@/server/adapters/db";
import type { SqlRunner } from "@/server/adapters/db/sql";
import type { CodeFilters } from "./fulltext";
import type { DetailsReader } from "./page";
import { detailsOf, loadPostings, signalsOf, type Postings } from "./postings-index";
import type { TextSignals } from "./signals";

/**
 * The code search's postings (which chunks and which file fields hold which lexeme) in the app's memory.
 * The candidate statement, which reads them from the GIN indexes, and the page's statement, which reads
 * the leading files' text, were most of a search's CPU: on the embedded database (PGlite) the app's own,
 * on the one thread every request waits on; on Postgres the database's, on the same cores as the app.
 * Here a search asks the database at most to stem a question it has not seen, and finds the hits in memory.
 *
 * The postings are the database's own, loaded whole (postings-index.ts). Every write to the index's tables
 * sends a notification (migration 20261206013000_search_index_changed), which Postgres delivers on commit to
 * the connection the app listens on; from then until a rebuild in the background has caught up, searches ask
 * the database as before. On the embedded database it is delivered before the write's caller goes on; on
 * Postgres a search first makes one round trip on the listening connection, which Postgres answers only
 * after sending what is pending (a lost listen connection counts as a change when it drops and again when it
 * is back). Either way an answer is never staler than the database.
 */

/**
 * Above this many chunks, or this much code, the postings stay in the database. Measured on this checkout
 * (4,500 chunks, 3.5 MB of code): 8 MB of heap, so ~1.8 kB a chunk, code included; 60,000 chunks would be
 * ~110 MB. More on the embedded database, whose statements cost the app's own thread; less beside a real
 * Postgres, which answers well on its own and whose instances may be small.
 */
const limitsFor = (runner: SqlRunner) => (runner.inProcess ? { chunks: 60_000, codeBytes: 48 * 1024 * 1024 } : { chunks: 30_000, codeBytes: 24 * 1024 * 1024 });

interface Held {
  /** How many times the index's tables have changed since the app began listening (each NOTIFY received). */
  changes: number;
  listening: Promise<void> | null;
  postings: Postings | null;
  /** The changes count the postings were found too large to hold at. */
  tooLargeAt: number | null;
  building: Promise<void> | null;
  /** No rebuild starts before this time (ms since the epoch), so rebuilds take a small share of the thread while the index keeps changing. */
  nextBuildAt: number;
  /** Questions' lexemes, by their words and language filter, the least recently asked dropped first. */
  stems: Map<string, Stems>;
}
interface Stems {
  lexemes: string[];
  /** lower(language filter), as the database lower-cases it. */
  language: string | null;
}

const held = new WeakMap<SqlRunner, Held>();
const heldFor = (runner: SqlRunner) =>
  held.get(runner) ?? held.set(runner, { changes: 0, listening: null, postings: null, tooLargeAt: null, building: null, nextBuildAt: 0, stems: new Map() }).get(runner)!;

/** What every write to the index's tables notifies (migration 20261206013000_search_index_changed). */
const CHANGED = "search_index_changed";
/** A rebuild waits at least this many times the last one's duration after it, while the index keeps changing. */
const REBUILD_SPACING = 4;
/** Questions whose lexemes are kept: stemming is a function of the words alone, and a question asked again needs no statement. */
const MAX_STEMS = 1_000;

/** The ranking's signals for a question, from memory, and the files' details from the same postings. */
export interface HeldSignals {
  signals: TextSignals | null;
  details: DetailsReader;
}

/**
 * The question's signals from the postings in memory, or undefined when they are not up to date (a
 * rebuild then starts in the background, and the caller asks the database). No statement for a question
 * asked before; for a new one, one: its lexemes, in the order the candidate statement numbers them.
 */
export async function signalsInMemory(runner: SqlRunner, words: string, filters: CodeFilters): Promise<HeldSignals | undefined> {
  const h = heldFor(runner);
  if (!(await listening(runner, h))) return undefined;
  // every change committed before this search is counted first (on Postgres, a round trip on the listening connection)
  if (runner.caughtUp) {
    try {
      await runner.caughtUp();
    } catch {
      return undefined; // the listening connection is down: the database answers
    }
  }
  const p = h.postings;
  if (p?.changes !== h.changes) {
    if (h.tooLargeAt !== h.changes) startBuild(runner, h);
    return undefined;
  }
  // a change arriving while the words are stemmed leaves p as it was: one state, the one before it
  const { lexemes, language } = await stemsOf(runner, h, words, filters.language || null);
  return { signals: signalsOf(p, lexemes, filters, language), details: async (files, content) => detailsOf(p, files, content) };
}

/** Brings the postings up to date now (a server's warm-up, tests). False when they are too large to hold, or the database cannot say when they change. */
export async function refreshPostings(runner: SqlRunner): Promise<boolean> {
  const h = heldFor(runner);
  if (!(await listening(runner, h))) return false;
  await h.building;
  h.building = build(runner, h);
  await h.building;
  return h.postings !== null;
}

/** Listens for the index's changes on the database's connection, once; false where it cannot (the database answers). */
async function listening(runner: SqlRunner, h: Held): Promise<boolean> {
  if (!runner.listen) return false;
  h.listening ??= runner.listen(CHANGED, () => void h.changes++);
  try {
    await h.listening;
    return true;
  } catch {
    h.listening = null; // the next search tries again
    return false;
  }
}

async function stemsOf(runner: SqlRunner, h: Held, words: string, language: string | null): Promise<Stems> {
  const key = `${words}\u0000${language ?? ""}`;
  let stems = h.stems.get(key);
  if (stems) h.stems.delete(key);
  else {
    const [row] = await queryPreparedOn<Stems>(
      runner,
      `SELECT ARRAY(SELECT "lexeme" FROM unnest(to_tsvector('english'::regconfig, $1::text)) ORDER BY "lexeme") AS "lexemes", lower($2::text) AS "language"`,
      [words, language],
    );
    stems = row!;
    if (h.stems.size >= MAX_STEMS) h.stems.delete(h.stems.keys().next().value!);
  }
  h.stems.set(key, stems);
  return stems;
}

function startBuild(runner: SqlRunner, h: Held) {
  if (h.building || Date.now() < h.nextBuildAt) return;
  h.building = build(runner, h).catch((err: unknown) => {
    // the database path keeps answering; say why once per failure rather than per search
    console.warn(`code search: the postings could not be loaded into memory (${err instanceof Error ? err.message : String(err)}); searches ask the database`);
    h.nextBuildAt = Date.now() + 60_000;
  });
}

async function build(runner: SqlRunner, h: Held): Promise<void> {
  const t0 = Date.now();
  // counted before reading: a change committed meanwhile makes these postings out of date, never a stale answer current
  const changes = h.changes;
  try {
    const [size] = await runner.query<{ chunks: number; bytes: number }>(`SELECT count(*)::int AS "chunks", coalesce(sum(octet_length("content")), 0)::float8 AS "bytes" FROM "code_chunk"`);
    const most = limitsFor(runner);
    if (size!.chunks > most.chunks || size!.bytes > most.codeBytes) {
      h.postings = null;
      h.tooLargeAt = changes;
      return;
    }
    h.postings = await loadPostings(runner, changes);
    h.tooLargeAt = null;
  } finally {
    const now = Date.now();
    h.nextBuildAt = now + REBUILD_SPACING * (now - t0);
    h.building = null;
  }
}
