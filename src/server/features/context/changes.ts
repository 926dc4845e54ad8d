import type { Deps } from "@/server/deps";
import type { ContextEvent } from "./schema";

/**
 * The shared context's changes, numbered per scope and kept in Postgres for a retention window, so a
 * live stream can resume where a dropped connection left it. The head row's lock is held until the
 * inserting statement commits: a scope's changes commit in number order, so "every change after N"
 * read at any moment has no holes that a later commit could fill.
 *
 * Changes recorded at the same time share one statement and one commit (group commit, as the audit log
 * does): IDE sessions that move together bring a burst of changes, and one commit each through a pool
 * of two connections queued that burst for a second. A statement numbers each scope once, so a batch
 * takes at most one change per scope (a scope's next change waits for the next statement, in order),
 * and it locks the head rows in scope order, so two instances' statements cannot deadlock.
 */
const APPEND_SQL = `WITH input AS (
  SELECT x->>'scope' AS scope, x->'event' AS event FROM jsonb_array_elements($1::jsonb) AS x
), head AS (
  INSERT INTO context_stream_head (scope, seq) SELECT scope, 1 FROM input ORDER BY scope
  ON CONFLICT (scope) DO UPDATE SET seq = context_stream_head.seq + 1
  RETURNING scope, seq
)
INSERT INTO context_change (scope, seq, event) SELECT head.scope, head.seq, input.event FROM head JOIN input USING (scope) RETURNING scope, seq`;

/** One delete of expired changes per this many appends in a process. */
const PRUNE_EVERY = 200;
let appendsSincePrune = 0;

type Runner = Pick<Deps, "database" | "db">;

async function query<T>(deps: Runner, text: string, params: unknown[]): Promise<T[]> {
  if (deps.database.sql) return deps.database.sql.query<T>(text, params);
  return deps.db.$queryRawUnsafe<T[]>(text, ...params);
}

/** A change as the stream sends it: the event and its number in its scope. */
export interface NumberedEvent extends ContextEvent {
  seq: number;
}

interface Pending {
  event: ContextEvent;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

/** The changes waiting for their statement, per database (tests open several in one process). */
const queues = new WeakMap<Runner["database"], { pending: Pending[]; flushing: Promise<void> | null }>();

/** Records a change and returns its number in its scope (once it is committed). */
export function appendChange(deps: Runner & Pick<Deps, "env">, event: ContextEvent): Promise<number> {
  let queue = queues.get(deps.database);
  if (!queue) queues.set(deps.database, (queue = { pending: [], flushing: null }));
  const q = queue;
  const numbered = new Promise<number>((resolve, reject) => q.pending.push({ event, resolve, reject }));
  q.flushing ??= flush(deps, q);
  if (++appendsSincePrune >= PRUNE_EVERY) {
    appendsSincePrune = 0;
    void pruneChanges(deps, deps.env.CONTEXT_STREAM_RETENTION_SECONDS).catch((err: Error) => console.warn(`[context] pruning changes failed: ${err.message}`));
  }
  return numbered;
}

async function flush(deps: Runner, q: { pending: Pending[]; flushing: Promise<void> | null }): Promise<void> {
  // the changes of this turn of the event loop join the first statement too
  await new Promise((resolve) => setImmediate(resolve));
  while (q.pending.length > 0) {
    const batch = firstOfEachScope(q.pending, 500);
    try {
      await record(deps, batch);
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else for (const one of batch) await record(deps, [one]).catch((e: unknown) => one.reject(e)); // one bad change fails alone
    }
  }
  q.flushing = null;
}

/** Takes out of `pending` the first change of each scope, in order, at most `max`. */
function firstOfEachScope(pending: Pending[], max: number): Pending[] {
  const batch: Pending[] = [];
  const scopes = new Set<string>();
  const rest: Pending[] = [];
  for (const p of pending) {
    if (batch.length < max && !scopes.has(p.event.scope)) {
      scopes.add(p.event.scope);
      batch.push(p);
    } else rest.push(p);
  }
  pending.splice(0, pending.length, ...rest);
  return batch;
}

async function record(deps: Runner, batch: Pending[]): Promise<void> {
  const rows = await query<{ scope: string; seq: string | number | bigint }>(deps, APPEND_SQL, [JSON.stringify(batch.map((p) => ({ scope: p.event.scope, event: p.event })))]);
  const seqs = new Map(rows.map((r) => [r.scope, Number(r.seq)]));
  for (const p of batch) {
    const seq = seqs.get(p.event.scope);
    if (seq === undefined) p.reject(new Error(`no number recorded for the change of ${p.event.scope}`));
    else p.resolve(seq);
  }
}

export async function pruneChanges(deps: Runner, retentionSeconds: number): Promise<void> {
  await query(deps, `DELETE FROM context_change WHERE at < now() - make_interval(secs => $1)`, [retentionSeconds]);
}

/** The latest change number of each scope (0 for a scope that never changed). */
export async function headsOf(deps: Runner, scopes: string[]): Promise<Map<string, number>> {
  const rows = await query<{ scope: string; seq: string | number }>(deps, `SELECT scope, seq FROM context_stream_head WHERE scope = ANY($1::text[])`, [scopes]);
  const heads = new Map(scopes.map((s) => [s, 0]));
  for (const r of rows) heads.set(r.scope, Number(r.seq));
  return heads;
}

/** A scope's changes after `after`, in order, at most `limit`. */
export async function changesAfter(deps: Runner, scope: string, after: number, limit = 500): Promise<NumberedEvent[]> {
  const rows = await query<{ seq: string | number; event: ContextEvent | string }>(deps, `SELECT seq, event FROM context_change WHERE scope = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
    scope,
    after,
    limit,
  ]);
  return rows.map((r) => ({ ...(typeof r.event === "string" ? (JSON.parse(r.event) as ContextEvent) : r.event), seq: Number(r.seq) }));
}
