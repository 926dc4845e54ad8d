import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEmbedded, openInMemory, templateFile } from "./embedded";
import { applyMigrations, readMigrations } from "./migrate";

/**
 * A new data folder starts from a template of a fresh cluster instead of running initdb (whose memory
 * peak does not fit a 512 MB container). Each test has its own template folder, never the project's.
 */
describe("embedded database's template", () => {
  const root = mkdtempSync(path.join(tmpdir(), "oo-template-"));
  const templates = path.join(root, "templates");
  let madeBy = "";
  beforeAll(async () => {
    const first = await openEmbedded(path.join(root, "first"), { templates });
    madeBy = first.started;
    await first.pglite.close();
    first.release();
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const runner = (pg: PGlite) => ({ exec: async (sql: string) => void (await pg.exec(sql)), query: async <T>(sql: string, params?: unknown[]) => (await pg.query<T>(sql, params)).rows });
  const version = () => (JSON.parse(readFileSync(path.join(process.cwd(), "node_modules/@electric-sql/pglite/package.json"), "utf8")) as { version: string }).version;

  it("is written, for the installed PGlite, by the first new folder made by initdb, from its still empty cluster", () => {
    expect(madeBy).toBe("initdb");
    const file = templateFile(templates)!;
    expect(path.basename(file)).toMatch(new RegExp(`^pglite-${version().replace(/\./g, "\\.")}-[0-9a-f]{12}\\.tar\\.gz$`));
    expect(readdirSync(templates)).toEqual([path.basename(file)]);
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
  });

  it("makes a new folder a working database: migrations apply, a row round-trips and outlives a reopen", async () => {
    const dataDir = path.join(root, "from-template");
    const opened = await openEmbedded(dataDir, { templates });
    expect(opened.started).toBe("template");
    try {
      // the template is an empty cluster: nothing of the app's schema is there before the migrations
      expect(await opened.pglite.query(`SELECT to_regclass('_prisma_migrations') AS t`)).toMatchObject({ rows: [{ t: null }] });
      const migrations = await readMigrations();
      expect(await applyMigrations(runner(opened.pglite), migrations)).toEqual(migrations.map((m) => m.name));
      await opened.pglite.exec(`CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE "template_probe" ("id" int PRIMARY KEY, "v" vector(3))`);
      await opened.pglite.query(`INSERT INTO "template_probe" VALUES ($1, $2)`, [1, "[1,2,3]"]);
      expect((await opened.pglite.query(`SHOW shared_buffers`)).rows).toEqual([{ shared_buffers: "32MB" }]);
    } finally {
      await opened.pglite.close();
      opened.release();
    }
    const again = await openEmbedded(dataDir, { templates });
    try {
      expect(again.started).toBe("existing");
      expect((await again.pglite.query(`SELECT "id", "v"::text AS v FROM "template_probe"`)).rows).toEqual([{ id: 1, v: "[1,2,3]" }]);
      expect(await applyMigrations(runner(again.pglite), await readMigrations())).toEqual([]);
    } finally {
      await again.pglite.close();
      again.release();
    }
  }, 120_000);

  it("opens an in-memory database from it too", async () => {
    const pg = await openInMemory({ templates });
    try {
      expect((await pg.query(`SELECT to_regclass('template_probe') AS t`)).rows).toEqual([{ t: null }]);
      expect((await pg.query(`SHOW shared_buffers`)).rows).toEqual([{ shared_buffers: "32MB" }]);
    } finally {
      await pg.close();
    }
  }, 120_000);

  it("never uses a template of another PGlite or other options: initdb runs, a current template replaces it", async () => {
    const stale = path.join(root, "stale");
    mkdirSync(stale);
    const other = path.join(stale, "pglite-0.0.1-000000000000.tar.gz");
    copyFileSync(templateFile(templates)!, other); // a tarball that would open, under another key
    const opened = await openEmbedded(path.join(root, "beside-stale"), { templates: stale });
    try {
      expect(opened.started).toBe("initdb");
      expect(existsSync(other)).toBe(false);
      expect(readdirSync(stale)).toEqual([path.basename(templateFile(stale)!)]);
      expect((await opened.pglite.query(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
    } finally {
      await opened.pglite.close();
      opened.release();
    }
  }, 120_000);

  it("removes a damaged template and makes the folder by initdb, then writes a good one", async () => {
    const damaged = path.join(root, "damaged");
    mkdirSync(damaged);
    writeFileSync(templateFile(damaged)!, "not a tarball");
    const dataDir = path.join(root, "beside-damaged");
    const opened = await openEmbedded(dataDir, { templates: damaged });
    try {
      expect(opened.started).toBe("initdb");
      expect((await opened.pglite.query(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
      expect(statSync(templateFile(damaged)!).size).toBeGreaterThan(1_000_000);
    } finally {
      await opened.pglite.close();
      opened.release();
    }
  }, 120_000);

  it("leaves a folder that is not empty to PGlite, template or not", async () => {
    const dataDir = path.join(root, "not-empty");
    mkdirSync(path.join(dataDir, "pg"), { recursive: true });
    writeFileSync(path.join(dataDir, "pg", "stray"), "");
    const corrupt = path.join(root, "unused");
    mkdirSync(corrupt);
    writeFileSync(templateFile(corrupt)!, "not a tarball");
    // PGlite runs initdb in a folder with files but no cluster, as before; the template is not consulted (nor removed)
    const opened = await openEmbedded(dataDir, { templates: corrupt });
    try {
      expect(opened.started).toBe("initdb");
      expect((await opened.pglite.query(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
      expect(readFileSync(templateFile(corrupt)!, "utf8")).toBe("not a tarball");
    } finally {
      await opened.pglite.close();
      opened.release();
    }
  }, 120_000);
});
