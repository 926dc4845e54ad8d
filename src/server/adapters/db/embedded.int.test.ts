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

  it("keeps GIN pending lists small: no background worker merges them there", async () => {
    expect(await db.sql!.query(`SHOW gin_pending_list_limit`)).toEqual([{ gin_pending_list_limit: "64kB" }]);
  });
});
