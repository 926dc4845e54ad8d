import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, scratchDeps, testDeps } from "../../../../tests/support/deps";
import type { Deps } from "@/server/deps";
import type { AuditEventInput } from "./log";
import { verifyChain } from "./verify";

const event = (requestId: string, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  actorType: "system",
  actorId: "test",
  action: "test.append",
  resourceType: "system",
  outcome: "success",
  status: 200,
  requestId,
  surface: "system",
  ...extra,
});

describe("audit chain on its own database", () => {
  let deps: Deps;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ deps, drop } = await scratchDeps());
  });
  afterAll(() => drop());

  it("50 concurrent appends form one unbroken chain", async () => {
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const rows = await Promise.all(ids.map((id, i) => (i % 2 ? deps.audit.record(event(id)) : deps.audit.transact((_tx, audit) => audit(event(id))))));
    expect(new Set(rows.map((r) => r.seq)).size).toBe(50);
    const stored = await deps.db.auditEvent.findMany({ orderBy: { seq: "asc" } });
    expect(stored.map((r) => Number(r.seq))).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.prevHash).toBe(stored[i - 1]!.hash);
    const result = await verifyChain(deps.db);
    expect(result).toMatchObject({ ok: true, checked: stored.length, firstBadSeq: null });
  });

  it("refuses UPDATE and DELETE from the application", async () => {
    await expect(deps.db.$executeRawUnsafe(`UPDATE audit_event SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(deps.db.$executeRawUnsafe(`DELETE FROM audit_event WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it("detects a row edited by a superuser with triggers switched off, naming its sequence number", async () => {
    await deps.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRawUnsafe(`UPDATE audit_event SET outcome = 'failure' WHERE seq = 7`);
    });
    expect(await verifyChain(deps.db)).toMatchObject({ ok: false, firstBadSeq: 7, reason: expect.stringMatching(/altered/) });
  });

  it("detects a deleted row as a gap", async () => {
    await deps.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRawUnsafe(`UPDATE audit_event SET outcome = 'success' WHERE seq = 7`);
      await tx.$executeRawUnsafe(`DELETE FROM audit_event WHERE seq = 3`);
    });
    expect(await verifyChain(deps.db)).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/gap/) });
  });
});

describe("audit with the change it records", () => {
  let deps: Deps;
  beforeAll(async () => {
    deps = await testDeps();
  });
  afterAll(() => closeDeps(deps));

  it("rolls back the change and its audit entry together", async () => {
    const requestId = randomUUID();
    const clientId = `test-${requestId.slice(0, 8)}`;
    await expect(
      deps.audit.transact(async (tx, audit) => {
        await tx.apiClient.create({ data: { id: clientId, name: clientId, createdBy: "test" } });
        await audit(event(requestId));
        throw new Error("boom after both writes");
      }),
    ).rejects.toThrow("boom");
    expect(await deps.db.apiClient.findUnique({ where: { id: clientId } })).toBeNull();
    expect(await deps.db.auditEvent.count({ where: { requestId } })).toBe(0);
  });

  it("redacts secrets in the stored input", async () => {
    const requestId = randomUUID();
    await deps.audit.record(event(requestId, { input: { password: "hunter2hunter2", url: "postgres://u:pw@h/db", note: "key oo_abcdefghijklmnopqrstuvwxyz012345" } }));
    const row = await deps.db.auditEvent.findFirstOrThrow({ where: { requestId } });
    const text = JSON.stringify(row.input);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain(":pw@");
    expect(text).not.toContain("oo_abcdefghij");
  });
});

describe("audit log under hostile text and bad events", () => {
  let deps: Deps;
  beforeAll(async () => {
    deps = await testDeps();
  });
  afterAll(() => closeDeps(deps));

  it("stores lone surrogates (as U+FFFD), NUL and `__proto__` keys without failing", async () => {
    const requestId = randomUUID();
    const input = JSON.parse('{"x":"\\ud800","\\udc00y":"a\\u0000b","__proto__":{"polluted":true},"pair":"\\ud83d\\ude00"}') as unknown;
    const row = await deps.audit.record(event(requestId, { input, detail: { note: "\udfff" }, target: "t\ud800" }));
    const stored = await deps.db.auditEvent.findFirstOrThrow({ where: { requestId } });
    expect(stored.input).toEqual(JSON.parse('{"x":"\\ufffd","\\ufffdy":"ab","__proto__":{"polluted":true},"pair":"\\ud83d\\ude00"}'));
    expect(Object.keys(stored.input as object)).toContain("__proto__");
    expect(stored.detail).toEqual({ note: "\ufffd" });
    expect(stored.target).toBe("t\ufffd");
    expect(Number(stored.seq)).toBe(row.seq);
  });

  it("fails only the bad event of a group-committed batch; the others of the batch are stored", async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    // a status beyond Postgres's integer range makes the batch statement fail
    const results = await Promise.allSettled(ids.map((id, i) => deps.audit.record(event(id, { status: i === 1 ? 2 ** 40 : 200 }))));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await deps.db.auditEvent.count({ where: { requestId: { in: ids } } })).toBe(2);
  });
});
