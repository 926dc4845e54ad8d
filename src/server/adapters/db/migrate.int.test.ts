import { hash, randomUUID } from "node:crypto";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "../../../../tests/support/services";
import { applyMigrations, readMigrations, type Migration } from "./migrate";
import type { SqlRunner } from "./sql";

/** The app's own migration applier, on an empty database: real Postgres when configured, else PGlite. */
interface Target {
  runner: () => Promise<SqlRunner & { close: () => Promise<void> }>;
  drop: () => Promise<void>;
}

async function emptyDatabase(): Promise<Target> {
  const base = testDatabaseUrl();
  if (!base) {
    const db = await PGlite.create();
    const runner = async () => ({
      exec: async (sql: string) => void (await db.exec(sql)),
      query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
      close: async () => {},
    });
    return { runner, drop: () => db.close() };
  }
  const name = `test_migrate_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const runner = async () => {
    const c = new pg.Client({ connectionString: url.toString() });
    c.on("error", () => {}); // the drop below ends connections a failed test left open
    await c.connect();
    return {
      exec: async (sql: string) => void (await c.query(sql)),
      query: async <T>(sql: string, params?: unknown[]) => (await c.query(sql, params)).rows as T[],
      close: () => c.end(),
    };
  };
  return {
    runner,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

describe("migration applier", () => {
  let target: Target;
  let migrations: Migration[];
  beforeAll(async () => {
    target = await emptyDatabase();
    migrations = await readMigrations();
  });
  afterAll(() => target.drop());

  it("applies every migration once, even when two instances start together", async () => {
    const [a, b] = [await target.runner(), await target.runner()];
    const isPglite = !testDatabaseUrl();
    // PGlite is one connection: the two appliers run one after the other there
    const results = isPglite ? [await applyMigrations(a, migrations), await applyMigrations(b, migrations)] : await Promise.all([applyMigrations(a, migrations), applyMigrations(b, migrations)]);
    expect(results.flat().sort()).toEqual(migrations.map((m) => m.name).sort());
    const rows = await a.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [i, r] of rows.entries()) {
      expect(r.checksum).toBe(hash("sha256", migrations[i]!.sql, "hex"));
      expect(r.finished_at).not.toBeNull();
    }
    expect(await applyMigrations(a, migrations)).toEqual([]);
    await a.close();
    await b.close();
  });

  it("refuses a migration edited after it was applied, and rolls back a failing one", async () => {
    const db = await target.runner();
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(applyMigrations(db, edited)).rejects.toThrow(/edited after it was applied/);
    const broken: Migration = { name: "99999999999999_broken", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();", checksum: "x" };
    await expect(applyMigrations(db, [...migrations, broken])).rejects.toThrow();
    expect(await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`)).toEqual([]);
    expect(await db.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1`, [broken.name])).toEqual([]);
    await db.close();
  });
});
