import { randomUUID } from "node:crypto";
import type { DatabaseConfig } from "@/server/adapters/db";
import { testDatabaseUrl } from "./services";

/**
 * A database of its own on the test server (or an in-memory PGlite without one), for tests that own
 * global names — connection ids like "database" and "store" are the same in every test file.
 */
export async function scratchDatabase(): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  const base = testDatabaseUrl();
  if (!base) return { config: { memory: true }, drop: async () => {} };
  const { default: pg } = await import("pg");
  const name = `test_conn_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    config: { url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
