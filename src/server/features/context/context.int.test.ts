import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { appRouter } from "@/server/api/root";
import type { CallContext } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import { ROLE_PERMISSIONS, type Role } from "@/server/core/auth/permissions";
import type { Deps } from "@/server/deps";
import { createContext } from "@/server/trpc/context";
import type { ContextEvent } from "./schema";
import { putEntry } from "./service";

/**
 * The service and procedures against the real Redis and Postgres (or the embedded defaults): atomic
 * versions under concurrent writers in both conflict modes, the audit record of a conflict, and live
 * updates from a second set of deps (a second instance: its own store client and event connection).
 */
let a: Deps;
let b: Deps;
const scope = `session:svc-${randomUUID().slice(0, 8)}`;
const user = (role: Role): Actor => ({ type: "user", id: randomUUID(), email: `${role}@test`, role, permissions: ROLE_PERMISSIONS[role] });
const call = (actor: Actor): CallContext => ({ actor, requestId: randomUUID(), surface: "rest" });
const caller = (deps: Deps, actor: Actor, signal?: AbortSignal) => appRouter.createCaller(createContext({ deps, requestId: randomUUID(), surface: "trpc", ip: null, actor }), { signal });

describe("context service", () => {
  beforeAll(async () => {
    a = await testDeps();
    // With real services, b is a second instance; on the embedded defaults there is only one process.
    b = process.env.TEST_DATABASE_URL ? await testDeps() : a;
  });
  afterAll(async () => {
    for (const d of new Set([a, b])) {
      await d.events.close();
      await closeDeps(d);
    }
  });

  it("two concurrent writers with the same stale-able expectedVersion: distinct versions, exactly one conflict, audited with both actors", async () => {
    for (let round = 0; round < 10; round++) {
      const key = `race/lww-${round}`;
      const base = await putEntry(a, call(user("operator")), { scope, key, value: "base" });
      const [alice, bob] = [user("operator"), user("operator")];
      const results = await Promise.all([
        putEntry(a, call(alice), { scope, key, value: "alice", expectedVersion: base.entry.version }),
        putEntry(b, call(bob), { scope, key, value: "bob", expectedVersion: base.entry.version }),
      ]);
      expect(results.map((r) => r.entry.version).sort()).toEqual([2, 3]);
      expect(results.filter((r) => r.conflict)).toHaveLength(1);
      const loser = results.find((r) => r.conflict)!;
      const winnerFirst = results.find((r) => !r.conflict)!;
      expect(loser.entry.version).toBe(3);
      expect(winnerFirst.entry.version).toBe(2);

      const rows = await a.db.auditEvent.findMany({ where: { target: `${scope}/${key}`, action: "context.put" }, orderBy: { seq: "asc" } });
      const flagged = rows.filter((r) => (r.detail as { conflict: boolean }).conflict);
      expect(flagged).toHaveLength(1);
      const firstWriter = winnerFirst.entry.updatedBy;
      expect(flagged[0]).toMatchObject({
        actorId: loser.entry.updatedBy.id,
        detail: { version: 3, previousVersion: 2, conflict: true, conflictWith: { expectedVersion: 1, overwrittenVersion: 2, overwrittenBy: firstWriter } },
      });
    }
  });

  it("two concurrent writers with ifMatch: one wins, the other gets 409 and changes nothing", async () => {
    for (let round = 0; round < 10; round++) {
      const key = `race/if-match-${round}`;
      await putEntry(a, call(user("operator")), { scope, key, value: "base" });
      const settled = await Promise.allSettled([
        caller(a, user("operator")).context.put({ scope, key, value: "alice", expectedVersion: 1, ifMatch: true }),
        caller(b, user("operator")).context.put({ scope, key, value: "bob", expectedVersion: 1, ifMatch: true }),
      ]);
      const won = settled.filter((s) => s.status === "fulfilled");
      const lost = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toMatchObject({ code: "CONFLICT" });
      const winner = (won[0] as PromiseFulfilledResult<{ entry: { value: unknown } }>).value.entry.value;
      const now = await caller(a, user("viewer")).context.get({ scope, key });
      expect(now).toMatchObject({ version: 2, value: winner });
    }
  });

  it("a viewer reads but cannot write (403)", async () => {
    const viewer = caller(a, user("viewer"));
    await expect(viewer.context.put({ scope, key: "viewer/try", value: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.context.delete({ scope, key: "viewer/try" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.context.list({ scope, limit: 5 })).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it("watch yields puts and deletes made on another instance, large values included", async () => {
    const abort = new AbortController();
    const watchScope = `session:watch-${randomUUID().slice(0, 8)}`;
    const iterable = (await caller(a, user("viewer"), abort.signal).context.watch({ scope: watchScope })) as AsyncIterable<ContextEvent>;
    const iterator = iterable[Symbol.asyncIterator]();
    const next = async () => (await iterator.next()).value as ContextEvent;
    // listening from the moment the subscription resolved
    const first = next();
    const writer = user("operator");
    const started = Date.now();
    await caller(b, writer).context.put({ scope: watchScope, key: "live", value: { n: 1 } });
    const put = await first;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(put).toMatchObject({ type: "put", scope: watchScope, key: "live", entry: { value: { n: 1 }, version: 1, updatedBy: { type: "user", id: writer.id } } });

    const big = { blob: "z".repeat(20_000) };
    const second = next();
    await caller(b, writer).context.put({ scope: watchScope, key: "big", value: big });
    expect(await second).toMatchObject({ type: "put", key: "big", entry: { value: big, version: 1 } });

    const third = next();
    await caller(b, writer).context.delete({ scope: watchScope, key: "live" });
    expect(await third).toMatchObject({ type: "delete", scope: watchScope, key: "live" });
    abort.abort();
    expect(await iterator.next()).toMatchObject({ done: true });
  });

  it("keeps a large value's preview in the audit entry, cut and redacted", async () => {
    const key = "audit/preview";
    const value = { token: "t".repeat(50), items: Array.from({ length: 500 }, (_, i) => ({ i, text: "lorem ipsum ".repeat(5) })) };
    await putEntry(a, call(user("operator")), { scope, key, value });
    const history = await caller(a, user("viewer")).context.history({ scope, key, limit: 5 });
    expect(history.items[0]).toMatchObject({ operation: "put", version: 1, truncated: true, value: null });
    expect(history.items[0]!.preview!.length).toBeLessThanOrEqual(2_000);
    expect(history.items[0]!.preview).toContain('"token":"[redacted]"');
  });
});
