/** The few raw-SQL needs Prisma cannot serve (migrations, locks): one runner per driver. */
export interface SqlRunner {
  /** Runs a script of one or more statements, no parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * A statement run often with the same text, planned once (a prepared statement) where planning costs the
   * app's own CPU (PGlite). Parameters are text, numbers, booleans, null, or arrays of text, numbers and null. Without it, `query` serves.
   */
  queryPlanned?<T = Record<string, unknown>>(sql: string, params: PlannedParam[]): Promise<T[]>;
  /**
   * On Postgres, a statement prepared once per connection (a named statement): for a statement whose plan
   * does not depend on its values, so the generic plan Postgres settles on is the plan it would make each
   * time. Without it, `queryPlanned` (or `query`) serves.
   */
  queryPrepared?<T = Record<string, unknown>>(sql: string, params: PlannedParam[]): Promise<T[]>;
  /**
   * The database runs in the app's own process (PGlite): every statement costs the app's own CPU, and what
   * the app keeps in memory instead costs it nothing to ask again.
   */
  inProcess?: true;
  /**
   * LISTEN on a connection of the database's: `onNotify` runs for each NOTIFY on the channel, once the
   * transaction that sent it has committed.
   */
  listen?(channel: string, onNotify: () => void): Promise<void>;
  /**
   * Resolves once every notification committed before the call has reached `onNotify`: a round trip on
   * the listening connection, since Postgres sends a listener what is pending before it answers. Absent
   * where notifications arrive before the writer's call returns (PGlite, in the app's process).
   */
  caughtUp?(): Promise<void>;
}

type Scalar = string | number | null;
export type PlannedParam = Scalar | boolean | Scalar[];
