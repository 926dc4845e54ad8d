import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaClient } from "@/generated/prisma/client";
import { openEmbedded, openInMemory } from "./embedded";
import { applyMigrations, readMigrations } from "./migrate";
import type { PlannedParam, SqlRunner } from "./sql";

export { PrismaClient };
export type { Prisma } from "@/generated/prisma/client";
/** A client usable inside or outside an interactive transaction. */
export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export interface Database {
  prisma: PrismaClient;
  kind: "postgres" | "pglite";
  /** Where it lives, without credentials: "postgres://host:5432/db" or ".data/pg". */
  location: string;
  /**
   * Hot raw SQL outside Prisma (the audit append on every request, the hot reads through `querySql`):
   * on Postgres a plain `pg` pool, about half the CPU of the same statement through Prisma's driver adapter; on the embedded
   * database its one connection itself (0.45 ms of CPU for a trivial statement against 1.5 ms through
   * Prisma's adapter), whose calls PGlite runs exclusive of Prisma's transactions, so none interleave.
   */
  sql?: SqlRunner;
  /**
   * The embedded database's connection for the job queue (pg-boss's `db` option): parameterless
   * scripts go through the simple protocol (pg-boss sends several statements in one), the rest as
   * single statements. PGlite runs each call exclusive of Prisma's transactions, so none interleave.
   */
  queueSql?: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;
  /** A real Postgres's connection string (with credentials): the job queue opens its own small pool on it. */
  url?: string;
  close(): Promise<void>;
}

/** What querySql runs on: Prisma, and the database, whose plain runner serves the statement when it has one. */
export type SqlSource = { db: Db; database?: Pick<Database, "sql"> };
/** What the hot readers pass to querySql: a SqlSource whose database is always given. */
export type SqlReaders = Required<SqlSource>;

/**
 * A raw statement on the request path: through the database's plain runner where it has one (a `pg` pool
 * on Postgres, about half the CPU of the same statement through Prisma's driver adapter; PGlite's own
 * connection on the embedded database), else through Prisma. Pass parameters as text or numbers and cast
 * them in SQL.
 */
export function querySql<T>(deps: SqlSource, text: string, params: unknown[]): Promise<T[]> {
  if (deps.database?.sql) return deps.database.sql.query<T>(text, params);
  return deps.db.$queryRawUnsafe<T[]>(text, ...params);
}

/**
 * A statement prepared once: per connection on Postgres (queryPrepared, a named statement), once on PGlite
 * (queryPlanned, where planning costs the app's own CPU), else sent as it is. Only for statements whose
 * plan is the same whatever their values.
 */
export function queryPreparedSql<T>(deps: SqlSource, text: string, params: PlannedParam[]): Promise<T[]> {
  const sql = deps.database?.sql;
  return sql ? queryPreparedOn<T>(sql, text, params) : querySql<T>(deps, text, params);
}

/** queryPreparedSql on a runner itself: its named statement, else its planned one, else a plain query. */
export function queryPreparedOn<T>(sql: SqlRunner, text: string, params: PlannedParam[]): Promise<T[]> {
  if (sql.queryPrepared) return sql.queryPrepared<T>(text, params);
  if (sql.queryPlanned) return sql.queryPlanned<T>(text, params);
  return sql.query<T>(text, params);
}

export type DatabaseConfig = { url: string } | { dataDir: string } | { memory: true };

function pgliteRunner(db: PGlite): SqlRunner {
  return {
    exec: async (sql) => void (await db.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    queryPlanned: pglitePlanned(db),
    inProcess: true,
    listen: async (channel, onNotify) => void (await db.listen(channel, () => onNotify())),
  };
}

/** At most this many statements are kept prepared (a search's filters make a few texts); any others are planned each time. */
const MAX_PLANNED = 32;

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;
const finite = (n: number) => {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
};

/**
 * A value as a literal for EXECUTE: text quoted (its quotes doubled), an array as the text of an array
 * literal (each element double-quoted, its quotes and backslashes escaped, as array input reads them),
 * which takes the type of the statement's parameter (an array of nulls too).
 */
function literal(v: PlannedParam): string {
  if (v === null) return "NULL";
  if (typeof v === "number") return finite(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return quoted(v);
  if (!Array.isArray(v)) throw new Error(`not a text, number, boolean, null or array: ${typeof v}`);
  const element = (e: string | number | null) => (e === null ? "NULL" : typeof e === "number" ? finite(e) : `"${String(e).replace(/[\\"]/g, "\\$&")}"`);
  return quoted(`{${v.map(element).join(",")}}`);
}

/**
 * Prepared statements on PGlite, which plans each statement afresh (in the app's own process): PREPARE
 * once per text, then EXECUTE with the values as literals, as EXECUTE takes no bound parameters. Quoting a
 * value by doubling its quotes is exact only with standard_conforming_strings on (Postgres's default since
 * 9.1), checked once; with it off, every statement is planned each time as before.
 */
function pglitePlanned(db: PGlite): NonNullable<SqlRunner["queryPlanned"]> {
  const names = new Map<string, Promise<string>>();
  let made = 0;
  let conforming: Promise<boolean> | undefined;
  return async <T>(sql: string, params: PlannedParam[]) => {
    conforming ??= db.query<{ standard_conforming_strings: string }>("SHOW standard_conforming_strings").then((r) => r.rows[0]?.standard_conforming_strings === "on");
    let name = names.get(sql);
    if (!name) {
      if (!(await conforming) || names.size >= MAX_PLANNED) return (await db.query<T>(sql, params)).rows;
      const next = `planned_${++made}`;
      name = db.query(`PREPARE ${next} AS ${sql}`).then(() => next);
      names.set(sql, name);
      name.catch(() => names.delete(sql));
    }
    const args = params.length ? `(${params.map(literal).join(", ")})` : "";
    return (await db.query<T>(`EXECUTE ${await name}${args}`)).rows;
  };
}

/**
 * Named statements on Postgres: each connection parses and plans a text once, then only binds and runs it
 * (node-postgres prepares a name on a connection the first time it sends it there). At most MAX_PLANNED
 * texts get names; any others are sent unnamed, planned each time.
 */
function postgresPrepared(pool: pg.Pool): NonNullable<SqlRunner["queryPrepared"]> {
  const names = new Map<string, string>();
  return async <T>(text: string, values: PlannedParam[]) => {
    let name = names.get(text);
    if (!name && names.size < MAX_PLANNED) names.set(text, (name = `prepared_${names.size + 1}`));
    return (await pool.query(name ? { name, text, values } : { text, values })).rows as T[];
  };
}

const RELISTEN_MS = 1_000;

/**
 * LISTEN on Postgres: one connection of its own, opened at the first `listen` and shared by every channel
 * and callback. A notification sent while it is down is lost, so when it drops and again when it is back,
 * every callback runs once, as if each of its channels had been notified: a listener keeping a copy of
 * something reads it again rather than keep one that may be out of date.
 */
function postgresListener(url: string): { listen: NonNullable<SqlRunner["listen"]>; caughtUp: NonNullable<SqlRunner["caughtUp"]>; close: () => Promise<void> } {
  const callbacks = new Map<string, Set<() => void>>();
  let client: Promise<pg.Client> | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let dropped = false;
  const everyone = () => callbacks.forEach((set) => set.forEach((cb) => cb()));

  async function open(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5_000 });
    c.on("notification", (msg) => callbacks.get(msg.channel)?.forEach((cb) => cb()));
    let gone = false;
    const lost = () => {
      if (gone || closed) return;
      gone = true;
      void c.end().catch(() => {});
      client = null;
      dropped = true;
      everyone(); // what is sent while down is missed
      clearTimeout(retry);
      retry = setTimeout(() => void connect().catch(() => {}), RELISTEN_MS);
    };
    c.on("error", lost);
    c.on("end", lost);
    await c.connect();
    for (const channel of callbacks.keys()) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    if (dropped) everyone(); // listening again: whatever was sent before this point is already in the database
    dropped = false;
    return c;
  }
  function connect(): Promise<pg.Client> {
    if (closed) return Promise.reject(new Error("database closed"));
    client ??= open().catch((err: unknown) => {
      client = null;
      if (dropped && !closed) {
        clearTimeout(retry);
        retry = setTimeout(() => void connect().catch(() => {}), RELISTEN_MS);
      }
      throw err;
    });
    return client;
  }
  // One round trip at a time on the listening connection, shared by every caller that came before it was
  // sent; a caller that comes while one is on the wire (sent, perhaps, before its own write committed) waits
  // for the next.
  let onTheWire: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const roundTrip = () =>
    (onTheWire = connect()
      .then((c) => c.query("SELECT 1"))
      .then(() => undefined)
      .finally(() => (onTheWire = null)));
  return {
    caughtUp() {
      if (!onTheWire) return roundTrip();
      next ??= onTheWire
        .catch(() => {})
        .then(() => {
          next = null;
          return roundTrip();
        });
      return next;
    },
    async listen(channel, onNotify) {
      const known = callbacks.has(channel);
      const set = callbacks.get(channel) ?? callbacks.set(channel, new Set()).get(channel)!;
      set.add(onNotify);
      const c = await connect();
      if (!known) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = await client?.catch(() => null);
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

/**
 * Named statements live on a server connection, so a pooler that hands each transaction another one
 * (PgBouncer or Supavisor in transaction mode) loses them: `?pgbouncer=true` on the URL, as Prisma reads
 * it, sends every statement unnamed.
 */
export function namedStatementsAllowed(url: string): boolean {
  try {
    return new URL(url).searchParams.get("pgbouncer") !== "true";
  } catch {
    return true;
  }
}

async function migratePostgres(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await applyMigrations({ exec: async (sql) => void (await client.query(sql)), query: async (sql, params) => (await client.query(sql, params)).rows }, await readMigrations());
  } finally {
    await client.end();
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "postgres";
  }
}

/** A path as people read it: relative inside the project, absolute outside it. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith("..") ? path.resolve(p) : rel;
}

/** Opens the database and brings its schema up to date before anyone queries it. */
export async function openDatabase(cfg: DatabaseConfig): Promise<Database> {
  if ("url" in cfg) {
    await migratePostgres(cfg.url);
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: cfg.url }) });
    // as many connections as Prisma's pool: the hot reads of every request share this one with the audit append
    const pool = new pg.Pool({ connectionString: cfg.url, max: 10 });
    pool.on("error", () => {}); // an idle connection dropped by the server; the next query opens another
    const listener = postgresListener(cfg.url);
    const sql: SqlRunner = {
      exec: async (text) => void (await pool.query(text)),
      query: async <T>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[],
      ...(namedStatementsAllowed(cfg.url) ? { queryPrepared: postgresPrepared(pool) } : {}),
      listen: listener.listen,
      caughtUp: listener.caughtUp,
    };
    return {
      prisma,
      kind: "postgres",
      location: redactUrl(cfg.url),
      sql,
      url: cfg.url,
      close: async () => {
        await listener.close();
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  const embedded = "dataDir" in cfg ? await openEmbedded(cfg.dataDir) : { pglite: await openInMemory(), release: () => {} };
  await applyMigrations(pgliteRunner(embedded.pglite), await readMigrations());
  // A GIN index's new entries wait in a pending list until it outgrows this limit, then the insert that
  // overflows it merges the whole list into the index. Postgres's autovacuum usually merges it in the
  // background first; PGlite has no background workers, so with the default 4 MB every ~9,000th audit
  // append merged on the thread every request shares: one 240 ms stall of CPU. At 64 kB (the least
  // allowed) the worst append measured 28 ms, at the same CPU per event (0.42 against 0.46 ms).
  await embedded.pglite.exec("SET gin_pending_list_limit = '64kB'");
  // Every 16 MB of write-ahead log (some 2,700 audited requests) Postgres starts a new segment file, which
  // by default it first fills with 16 MB of zeros: on PGlite, on the thread every request shares, a 70 ms
  // stall of every request in flight (measured: 6,000 appends at ten in flight, the slow ones exactly at
  // the segment boundary; with this off, none, and p99 10.5–14 → 7.5 ms). Zero-filling reserves the disk
  // space up front, for file systems that would otherwise run out mid-segment; without it the segment's
  // blocks are allocated as the log is written, and a full disk stops the database either way.
  await embedded.pglite.exec("SET wal_init_zero = off");
  // One connection serves the whole process, so a transaction may wait behind every other statement,
  // and `next dev` can block the event loop for seconds while it compiles a page: Prisma's defaults
  // (2 s to start, 5 s to finish) expired there ("Transaction not found"). Nothing else can hold a
  // lock on this database, so a longer allowance costs nothing.
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(embedded.pglite), transactionOptions: { maxWait: 30_000, timeout: 60_000 } });
  const pglite = embedded.pglite;
  const queueSql = async (text: string, values?: unknown[]) => {
    if (values?.length) return { rows: (await pglite.query(text, values)).rows };
    const results = await pglite.exec(text);
    return { rows: results.at(-1)?.rows ?? [] };
  };
  return {
    prisma,
    kind: "pglite",
    sql: pgliteRunner(pglite),
    queueSql,
    location: "dataDir" in cfg ? displayPath(path.join(cfg.dataDir, "pg")) : "memory",
    close: async () => {
      await prisma.$disconnect();
      await embedded.pglite.close();
      embedded.release();
    },
  };
}
