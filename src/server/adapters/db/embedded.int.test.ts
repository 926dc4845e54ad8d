import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./index";

/** The embedded database's own runner (Database.sql on PGlite), beside Prisma on the same single connection. */
describe("embedded database", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    await db.sql!.exec(`CREATE TABLE "runner_probe" ("id" int PRIMARY KEY, "who" text NOT NULL)`);
  });
  afterAll(() => db.close());

  it("runs parameterized statements outside Prisma", async () => {
    expect(db.kind).toBe("pglite");
    expect(await db.sql!.query(`SELECT $1::int + 1 AS n, $2::text[] AS a`, [41, ["x", "y"]])).toEqual([{ n: 42, a: ["x", "y"] }]);
  });

  it("never runs inside an open Prisma transaction: a rolled-back transaction keeps the runner's write", async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const rolledBack = db.prisma
      .$transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO "runner_probe" VALUES (1, 'transaction')`;
        entered();
        await new Promise((r) => setTimeout(r, 50));
        throw new Error("roll back");
      })
      .catch((err: Error) => err.message);
    await inside;
    const write = db.sql!.query(`INSERT INTO "runner_probe" VALUES (2, 'runner') RETURNING "id"`);
    expect(await rolledBack).toBe("roll back");
    expect(await write).toEqual([{ id: 2 }]);
    expect(await db.sql!.query(`SELECT "id", "who" FROM "runner_probe" ORDER BY "id"`)).toEqual([{ id: 2, who: "runner" }]);
  });

  it("plans a statement once (a prepared statement) and passes it any text as a value, quotes and backslashes included", async () => {
    const text = `SELECT $1::text AS t, $2::int + 1 AS n, $3::text IS NULL AS none, length($1::text) AS len`;
    for (const value of [`it's`, `a\\'b\\`, `'); DROP TABLE "runner_probe"; --`, "ünïcode ✓"]) {
      expect(await db.sql!.queryPlanned!(text, [value, 41, null])).toEqual(await db.sql!.query(text, [value, 41, null]));
    }
    const prepared = await db.sql!.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%length($1::text) AS len%'`);
    expect(prepared).toEqual([{ n: 1 }]);
    expect(await db.sql!.query(`SELECT count(*)::int AS n FROM "runner_probe"`)).toEqual([{ n: expect.any(Number) }]);
  });

  it("passes arrays and booleans to a planned statement as bound parameters would be", async () => {
    const text = `SELECT $1::text[] AS a, $2::int[] AS b, $3::boolean AS c, cardinality($1::text[]) AS n`;
    for (const params of [
      [["x", `q"uote`, "back\\slash", "it's", "NULL", "", "{}", "a,b"], [1, null, 3], true],
      [[], [null, null], false],
      [[null], [], true],
    ]) {
      expect(await db.sql!.queryPlanned!(text, params as never)).toEqual(await db.sql!.query(text, params));
    }
  });

  it("keeps GIN pending lists small: no background worker merges them there", async () => {
    expect(await db.sql!.query(`SHOW gin_pending_list_limit`)).toEqual([{ gin_pending_list_limit: "64kB" }]);
  });

  it("starts a new write-ahead log segment without zero-filling it first: that stalled every request in flight", async () => {
    expect(await db.sql!.query(`SHOW wal_init_zero`)).toEqual([{ wal_init_zero: "off" }]);
  });

  it("keeps a small buffer pool, in memory and on a data folder: it is the app's own resident memory", async () => {
    expect(await db.sql!.query(`SHOW shared_buffers`)).toEqual([{ shared_buffers: "32MB" }]);
    const dir = mkdtempSync(path.join(tmpdir(), "oo-embedded-"));
    const onDisk = await openDatabase({ dataDir: dir });
    try {
      expect(await onDisk.sql!.query(`SHOW shared_buffers`)).toEqual([{ shared_buffers: "32MB" }]);
    } finally {
      await onDisk.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
