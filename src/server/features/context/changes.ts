import { querySql } from "@/server/adapters/db";
import { GroupCommit } from "@/server/core/group-commit";
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

/** A change as the stream sends it: the event and its number in its scope. */
export interface NumberedEvent extends ContextEvent {
  seq: number;
}

/** The changes waiting for their statement, per database (tests open several in one process). */
const appenders = new WeakMap<Runner["database"], GroupCommit<ContextEvent, number>>();

/** Records a change and returns its number in its scope (once it is committed). */
export function appendChange(deps: Runner & Pick<Deps, "env">, event: ContextEvent): Promise<number> {
  let appender = appenders.get(deps.database);
  if (!appender) appenders.set(deps.database, (appender = new GroupCommit((events) => record(deps, events), { keyOf: (e) => e.scope })));
  const numbered = appender.add(event);
  if (++appendsSincePrune >= PRUNE_EVERY) {
    appendsSincePrune = 0;
    void pruneChanges(deps, deps.env.CONTEXT_STREAM_RETENTION_SECONDS).catch((err: Error) => console.warn(`[context] pruning changes failed: ${err.message}`));
  }
  return numbered;
}

/** One statement for changes of distinct scopes; their numbers in the same order. */
async function record(deps: Runner, events: ContextEvent[]): Promise<number[]> {
  const rows = await querySql<{ scope: string; seq: string | number | bigint }>(deps, APPEND_SQL, [JSON.stringify(events.map((event) => ({ scope: event.scope, event })))]);
  // one head row and one change row per scope of the statement, by construction (scopes are distinct)
  const seqs = new Map(rows.map((r) => [r.scope, Number(r.seq)]));
  return events.map((e) => seqs.get(e.scope)!);
}

export async function pruneChanges(deps: Runner, retentionSeconds: number): Promise<void> {
  await querySql(deps, `DELETE FROM context_change WHERE at < now() - make_interval(secs => $1)`, [retentionSeconds]);
}

/** The latest change number of each scope (0 for a scope that never changed). */
export async function headsOf(deps: Runner, scopes: string[]): Promise<Map<string, number>> {
  const rows = await querySql<{ scope: string; seq: string | number }>(deps, `SELECT scope, seq FROM context_stream_head WHERE scope = ANY($1::text[])`, [scopes]);
  const heads = new Map(scopes.map((s) => [s, 0]));
  for (const r of rows) heads.set(r.scope, Number(r.seq));
  return heads;
}

/** A scope's changes after `after`, in order, at most `limit`. */
export async function changesAfter(deps: Runner, scope: string, after: number, limit = 500): Promise<NumberedEvent[]> {
  const rows = await querySql<{ seq: string | number; event: ContextEvent | string }>(deps, `SELECT seq, event FROM context_change WHERE scope = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
    scope,
    after,
    limit,
  ]);
  return rows.map((r) => ({ ...(typeof r.event === "string" ? (JSON.parse(r.event) as ContextEvent) : r.event), seq: Number(r.seq) }));
}
