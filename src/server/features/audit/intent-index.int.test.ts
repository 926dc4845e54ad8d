import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/server/adapters/db";
import { scratchPostgres } from "../../../../tests/support/scratch-db";
import { testDatabaseUrl } from "../../../../tests/support/services";
import { intentCondition } from "./search";

/**
 * `/ai/audit?intentId=` on a long log: both halves of the filter — the intent's own events by "target"
 * and the calls that only named it in their input — can be answered from indexes. With sequential
 * scans switched off, a plan that still reads the table is a half no index serves.
 */
describe.skipIf(!testDatabaseUrl())("the intent filter's indexes (real Postgres)", () => {
  let scratch: NonNullable<Awaited<ReturnType<typeof scratchPostgres>>>;
  let database: Database;
  let client: pg.Client;

  beforeAll(async () => {
    scratch = (await scratchPostgres("test_intent_idx"))!;
    database = await openDatabase({ url: scratch.url }); // applies the migrations
    client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query("SET enable_seqscan = off");
  });
  afterAll(async () => {
    await client?.end();
    await database?.close();
    await scratch?.drop();
  });

  const plan = async (sql: string, values: unknown[]) => (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, values)).rows.map((r) => r["QUERY PLAN"]).join("\n");

  it("serves the list's filter (the SQL Prisma writes for the JSON path) from the partial index and the target index", async () => {
    const id = randomUUID();
    // What Prisma 7 sends for { OR: [{ target: id }, { resourceType: "intent", input: { path: ["id"], equals: id } }] }
    // (service.ts intentWhere), as read from the server's statement log.
    const prismaWhere = `"target" = $1 OR ("resource_type" = $2 AND ("input"#>ARRAY[$3]::text[])::jsonb::jsonb = $4)`;
    const text = await plan(`SELECT "seq" FROM "audit_event" WHERE (${prismaWhere}) ORDER BY "seq" DESC LIMIT 50`, [id, "intent", "id", JSON.stringify(id)]);
    expect(text).toMatch(/audit_event_intent_input_id_idx/);
    expect(text).toMatch(/audit_event_target_idx/);
    expect(text).not.toMatch(/Seq Scan/);
  });

  it("serves the full-text search path's filter (search.ts) the same way", async () => {
    const condition = intentCondition(randomUUID());
    const text = await plan(`SELECT "seq" FROM "audit_event" WHERE ${condition.text}`, condition.values);
    expect(text).toMatch(/audit_event_intent_input_id_idx/);
    expect(text).not.toMatch(/Seq Scan/);
  });
});
