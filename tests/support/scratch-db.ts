import { randomUUID } from "node:crypto";
import type { DatabaseConfig } from "@/server/adapters/db";
import { testDatabaseUrl } from "./services";

/** A fresh database on TEST_DATABASE_URL's server (null without one), dropped by `drop`. */
export async function scratchPostgres(prefix = "test_scratch"): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const base = testDatabaseUrl();
  if (!base) return null;
  const { default: pg } = await import("pg");
  const name = `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A database of its own on the test server (or an in-memory PGlite without one), for tests that own
 * global names — connection ids like "database" and "store" are the same in every test file.
 */
export async function scratchDatabase(): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  const scratch = await scratchPostgres("test_conn");
  return scratch ? { config: { url: scratch.url }, drop: scratch.drop } : { config: { memory: true }, drop: async () => {} };
}
