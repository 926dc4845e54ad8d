import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { watchAnnouncements } from "../../../../tests/support/journal";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import type { Deps } from "@/server/deps";
import { announceWrite, reconcileWrites } from "./journal";
import { deleteEntry, putEntry, targetOf } from "./service";
import { recordKey } from "./store";

/**
 * A shared-context write and its audit event live in two systems (the store, Postgres): whatever fails
 * between them, the write is either not made or audited — at once, or by the reconciler.
 */
let deps: Deps;
const scope = `session:journal-${randomUUID().slice(0, 8)}`;
const call = (): CallContext => ({ actor: { type: "system", id: "journal-test" }, requestId: randomUUID(), surface: "rest" });
const rowsOf = (key: string) => deps.db.auditEvent.findMany({ where: { target: targetOf(scope, key) }, orderBy: { seq: "asc" } });

beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

describe("context write journal", () => {
  it("a put leaves no announcement behind and its audit event names the write", async () => {
    const { entry } = await putEntry(deps, call(), { scope, key: "plain", value: 1 });
    const [row] = await rowsOf("plain");
    expect(row!.detail).toMatchObject({ version: entry.version, writeId: expect.any(String) });
    await vi.waitFor(async () => expect(await deps.db.contextWriteIntent.count({ where: { scope, key: "plain" } })).toBe(0));
  });

  it("writes made at once share one announcement statement, and each is still audited and settled", async () => {
    const announce = watchAnnouncements(deps);
    try {
      const keys = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
      await Promise.all(keys.map((key) => putEntry(deps, call(), { scope, key, value: key })));
      expect(announce.count()).toBe(1);
      for (const key of keys) expect(await rowsOf(key)).toHaveLength(1);
      await vi.waitFor(async () => expect(await deps.db.contextWriteIntent.count({ where: { scope, key: { in: keys } } })).toBe(0));
    } finally {
      announce.restore();
    }
  });

  it("a write's settlement rides the next write's announcement (no statement of its own), or goes alone soon after", async () => {
    const runner = deps.database.sql!;
    const query = vi.spyOn(runner, "query");
    try {
      const first = await putEntry(deps, call(), { scope, key: "ride-1", value: 1 });
      await putEntry(deps, call(), { scope, key: "ride-2", value: 2 });
      const texts = query.mock.calls.map(([text]) => text);
      const settlements = texts.filter((t) => t.includes("DELETE FROM context_write_intent"));
      expect(settlements).toHaveLength(1); // the second announcement, carrying the first write's settlement
      expect(settlements[0]).toContain("INSERT INTO context_write_intent");
      expect((await rowsOf("ride-1"))[0]!.detail).toMatchObject({ version: first.entry.version });
      expect(await deps.db.contextWriteIntent.count({ where: { scope, key: "ride-1" } })).toBe(0);
      // the last one has no announcement to ride: it is settled alone
      await vi.waitFor(async () => expect(await deps.db.contextWriteIntent.count({ where: { scope, key: "ride-2" } })).toBe(0));
    } finally {
      query.mockRestore();
    }
  });

  it("when the database refuses the announcement, the store is not touched", async () => {
    const announce = watchAnnouncements(deps, new Error("database down"));
    await expect(putEntry(deps, call(), { scope, key: "db-down", value: 1 })).rejects.toThrow("database down");
    announce.restore();
    expect(await deps.kv.getVersioned(recordKey(scope, "db-down"))).toBeNull();
  });

  it("when the audit append fails after the store write, the reconciler audits the write as landed, once", async () => {
    const c = call();
    const spy = vi.spyOn(deps.audit, "record").mockRejectedValueOnce(new Error("audit down"));
    await expect(putEntry(deps, c, { scope, key: "audit-down", value: { v: 1 } })).rejects.toThrow("audit down");
    spy.mockRestore();
    expect(await deps.kv.getVersioned(recordKey(scope, "audit-down"))).not.toBeNull(); // the change stands…
    expect(await rowsOf("audit-down")).toHaveLength(0); // …without its event, for now

    // too young: a request may still be in flight
    await reconcileWrites(deps, { scope });
    expect(await rowsOf("audit-down")).toHaveLength(0);
    const counts = await reconcileWrites(deps, { olderThanMs: 0, scope });
    expect(counts.landed).toBeGreaterThanOrEqual(1);
    const rows = await rowsOf("audit-down");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "context.put", outcome: "success", requestId: c.requestId, actorId: "journal-test" });
    expect(rows[0]!.detail).toMatchObject({ reconciled: true, version: 1, value: { v: 1 } });
    await reconcileWrites(deps, { olderThanMs: 0, scope });
    expect(await rowsOf("audit-down")).toHaveLength(1);
  });

  it("a process that died after announcing and before (or during) the store write is audited as uncertain, never silently dropped", async () => {
    const c = call();
    await announceWrite(deps, "context.put", scope, "crashed", eventFor(c, { action: "context.put", resourceType: "context", target: targetOf(scope, "crashed"), detail: { scope, key: "crashed" } }));
    await reconcileWrites(deps, { olderThanMs: 0, scope });
    const [row] = await rowsOf("crashed");
    expect(row).toMatchObject({ outcome: "failure", requestId: c.requestId });
    expect(row!.detail).toMatchObject({ reconciled: true, landed: "unknown" });
  });

  it("a delete whose audit append failed is reconciled too", async () => {
    await putEntry(deps, call(), { scope, key: "del", value: 1 });
    const spy = vi.spyOn(deps.audit, "record").mockRejectedValueOnce(new Error("audit down"));
    await expect(deleteEntry(deps, call(), { scope, key: "del" })).rejects.toThrow("audit down");
    spy.mockRestore();
    await reconcileWrites(deps, { olderThanMs: 0, scope });
    const rows = await rowsOf("del");
    expect(rows.map((r) => r.action)).toEqual(["context.put", "context.delete"]);
    expect(rows[1]!.detail).toMatchObject({ reconciled: true });
  });

  it("a refused conditional write (409) leaves neither a change nor an announcement", async () => {
    await putEntry(deps, call(), { scope, key: "cas", value: 1 });
    await expect(putEntry(deps, call(), { scope, key: "cas", value: 2, expectedVersion: 7, ifMatch: true })).rejects.toThrow(/Version conflict/);
    expect(await deps.db.contextWriteIntent.count({ where: { scope, key: "cas" } })).toBe(0);
  });
});

describe("the reconcile job", () => {
  it("runs the reconciler on a schedule, one run at a time", async () => {
    const { contextJobs } = await import("./jobs");
    const job = contextJobs.find((j) => j.name === "context-reconcile-writes")!;
    expect(job).toMatchObject({ schedule: "* * * * *", singleton: true });
    const result = await job.run({ deps, runId: randomUUID(), trigger: "manual", signal: new AbortController().signal, log: () => {}, data: {} });
    expect(result).toMatchObject({ settled: expect.any(Number), landed: expect.any(Number), unknown: expect.any(Number) });
  });
});
