import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "../../../../tests/support/services";
import { pollUntil } from "../../../../tests/support/until";
import { namedStatementsAllowed, openDatabase, type Database } from "./index";

/** The Postgres runner's named statements (queryPrepared): the same rows as a plain query, each text parsed and planned once per connection. */
describe.skipIf(!testDatabaseUrl())("postgres runner", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ url: testDatabaseUrl()! });
  });
  afterAll(() => db.close());

  it("answers a prepared statement as the plain query would, whatever the value's quotes", async () => {
    const text = `SELECT $1::text AS t, $2::int + 1 AS n, $3::text IS NULL AS none, $4::text[] AS a`;
    for (const value of [`it's`, `a\\'b\\`, `'); SELECT 1; --`, "ünïcode ✓"]) {
      const params = [value, 41, null, [value, "x"]];
      expect(await db.sql!.queryPrepared!(text, params)).toEqual(await db.sql!.query(text, params));
    }
  });

  it("keeps the statement prepared on the connection that ran it", async () => {
    const text = `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1::text AND name LIKE 'prepared_%'`;
    // the statement is prepared (parsed under its name) before it runs, so it finds itself
    expect(await db.sql!.queryPrepared!(text, [text])).toEqual([{ n: 1 }]);
    expect(await db.sql!.query(text, [text])).toEqual([{ n: expect.any(Number) }]);
  });

  it("still answers once every name is taken: further texts run unnamed", async () => {
    for (let i = 0; i < 40; i++) expect(await db.sql!.queryPrepared!(`SELECT $1::int + ${i} AS n`, [1])).toEqual([{ n: 1 + i }]);
  });

  it("sends every statement unnamed behind a transaction pooler (?pgbouncer=true)", async () => {
    const url = new URL(testDatabaseUrl()!);
    url.searchParams.set("pgbouncer", "true");
    expect(namedStatementsAllowed(url.toString())).toBe(false);
    expect(namedStatementsAllowed(testDatabaseUrl()!)).toBe(true);
    const pooled = await openDatabase({ url: url.toString() });
    try {
      expect(pooled.sql!.queryPrepared).toBeUndefined();
      expect(await pooled.sql!.query(`SELECT 1 AS n`)).toEqual([{ n: 1 }]);
    } finally {
      await pooled.close();
    }
  });
  it("listens on a connection of its own: a committed NOTIFY calls back, a rolled-back one does not, and a dropped connection counts as one when it drops and when it is back", async () => {
    const channel = `test_listen_${randomUUID().slice(0, 8)}`;
    let calls = 0;
    await db.sql!.listen!(channel, () => void calls++);
    const wait = (n: number) => pollUntil(`${n} callbacks`, () => calls >= n, 5_000, 10);

    await db.sql!.query(`SELECT pg_notify($1, '')`, [channel]);
    await wait(1);
    await db.sql!.exec(`BEGIN; SELECT pg_notify('${channel}', ''); ROLLBACK`);
    await db.sql!.query(`SELECT pg_notify($1, '')`, [channel]);
    await wait(2);
    expect(calls).toBe(2); // the rolled-back one never came

    const [listener] = await db.sql!.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channel}"`]);
    await db.sql!.query(`SELECT pg_terminate_backend($1)`, [listener!.pid]);
    await wait(4); // once as it drops, once as it listens again
    await db.sql!.query(`SELECT pg_notify($1, '')`, [channel]);
    await wait(5);
  });
});
