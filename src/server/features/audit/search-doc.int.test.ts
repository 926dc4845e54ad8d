import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEventInput } from "@/server/core/audit/log";
import { verifyChain } from "@/server/core/audit/verify";
import type { Deps } from "@/server/deps";
import { scratchDeps } from "../../../../tests/support/deps";
import { auditListInput } from "./schema";
import { fillSearchDocuments } from "./search";
import { listAuditEvents } from "./service";

const DOCUMENT = `"audit_event_search_document"("action", "target", "actor_id", "client_id", "request_id", "input", "detail")`;

const event = (actorId: string, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  actorType: "system",
  actorId,
  action: "context.put",
  resourceType: "system",
  outcome: "success",
  status: 200,
  requestId: randomUUID(),
  surface: "rest",
  ...extra,
});

describe("the stored search document of audit events", () => {
  let deps: Deps;
  let drop: () => Promise<void>;
  const actor = `doc-${randomUUID().slice(0, 8)}`;
  const token = `zq${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  beforeAll(async () => {
    ({ deps, drop } = await scratchDeps());
  });
  afterAll(() => drop());

  /** Rows whose stored document is missing or differs from the one computed from the event. */
  const wrongDocuments = async () =>
    (await deps.db.$queryRawUnsafe<{ seq: bigint }[]>(`SELECT "seq" FROM "audit_event" WHERE "search_doc" IS DISTINCT FROM ${DOCUMENT} ORDER BY "seq"`)).map((r) => Number(r.seq));
  const search = async (q: string) => (await listAuditEvents(deps, auditListInput.parse({ actorId: actor, q }))).items.map((e) => e.seq);
  /** What a row written before the column existed looks like: no document (triggers off, as only a superuser can). */
  const forgetDocuments = (seqs: number[]) =>
    deps.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRawUnsafe(`UPDATE "audit_event" SET "search_doc" = NULL WHERE "seq" = ANY($1::bigint[])`, seqs.map(String));
    });

  it("is written with every event, by the append and by any other insert", async () => {
    await deps.audit.record(event(actor, { target: `global/${token}`, detail: { note: "Deploy window moved to Friday" } }));
    await deps.audit.transact((_tx, audit) => audit(event(actor, { action: "keys.create", input: { clientId: token } })));
    await deps.db.$executeRawUnsafe(
      `INSERT INTO "audit_event" ("seq", "at", "actor_type", "actor_id", "action", "resource_type", "outcome", "status", "request_id", "surface", "prev_hash", "hash")
       SELECT max("seq") + 1, now(), 'system', $1, 'fixture.insert', 'system', 'success', 200, $2, 'system', 'x', $3 FROM "audit_event"`,
      actor,
      randomUUID(),
      randomUUID(),
    );
    expect(await deps.db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "audit_event" WHERE "search_doc" IS NULL`)).toEqual([]);
    expect(await wrongDocuments()).toEqual([]);
    // the fixture row breaks the chain on purpose: take it out again
    await deps.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRawUnsafe(`DELETE FROM "audit_event" WHERE "action" = 'fixture.insert'`);
    });
  });

  it("finds rows still without a document, and the backfill fills them without touching the chain", async () => {
    const seqs = (await deps.db.auditEvent.findMany({ where: { actorId: actor }, orderBy: { seq: "asc" }, select: { seq: true } })).map((r) => Number(r.seq));
    const before = await verifyChain(deps.db);
    await forgetDocuments(seqs);
    expect(await wrongDocuments()).toEqual(seqs);
    expect(await search("friday")).toEqual([seqs[0]]);
    expect(await search(token)).toEqual([...seqs].reverse());

    expect(await fillSearchDocuments(deps, { batch: 1, pauseMs: 0 })).toBe(seqs.length);
    expect(await wrongDocuments()).toEqual([]);
    expect(await fillSearchDocuments(deps, { pauseMs: 0 })).toBe(0);
    expect(await search("friday")).toEqual([seqs[0]]);
    expect(await verifyChain(deps.db)).toEqual(before);
  });

  it("stays append-only: no UPDATE but the backfill's own, which changes nothing else", async () => {
    const [first] = await deps.db.auditEvent.findMany({ where: { actorId: actor }, orderBy: { seq: "asc" }, take: 1 });
    const seq = String(first!.seq);
    const update = (set: string) => deps.db.$executeRawUnsafe(`UPDATE "audit_event" SET ${set} WHERE "seq" = $1::bigint`, seq);
    await expect(update(`"search_doc" = to_tsvector('simple', 'planted')`)).rejects.toThrow(/append-only/); // it has its document
    await forgetDocuments([Number(seq)]);
    await expect(update(`"search_doc" = to_tsvector('simple', 'planted')`)).rejects.toThrow(/append-only/); // not the event's document
    await expect(update(`"search_doc" = ${DOCUMENT}, "outcome" = 'failure'`)).rejects.toThrow(/append-only/); // and something else
    await expect(update(`"search_doc" = ${DOCUMENT}`)).resolves.toBe(1);
    expect(await wrongDocuments()).toEqual([]);
  });

  it("keeps the search index's pending list short, which every search through the index reads whole", async () => {
    const [index] = await deps.db.$queryRawUnsafe<{ options: string[] | null }[]>(`SELECT "reloptions" AS "options" FROM "pg_class" WHERE "relname" = 'audit_event_search_idx'`);
    expect(index?.options).toContain("gin_pending_list_limit=64");
  });
});
