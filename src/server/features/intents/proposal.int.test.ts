import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { testDatabaseUrl } from "../../../../tests/support/services";
import { callAs, errorOf, makeAgent, prodDeploy } from "../../../../tests/support/intents";
import type { Deps } from "@/server/deps";
import { proposeIntent } from "./service";

/** A proposal and its audit row commit together or not at all; a concurrent duplicate key is 409. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

async function rowsFor(reason: string) {
  const intents = await deps.db.intent.findMany({ where: { reason } });
  const audit = intents.length ? await deps.db.auditEvent.count({ where: { target: { in: intents.map((i) => i.id) }, action: "intents.propose" } }) : 0;
  const auditByReason = await deps.db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "audit_event" WHERE "action" = 'intents.propose' AND "target" IN (SELECT "id"::text FROM "intent" WHERE "reason" = $1)`,
    reason,
  );
  return { intents: intents.length, audit, auditByReason: auditByReason[0]!.n };
}

describe("proposal atomicity", () => {
  it.skipIf(!testDatabaseUrl())("a connection killed (pg_terminate_backend) inside the proposal leaves neither the intent nor its audit row", async () => {
    const agent = await makeAgent(deps);
    const idem = `kill-${randomUUID()}`;
    for (const at of ["intent", "audit"] as const) {
      const input = prodDeploy({ reason: `killed after the ${at} row ${randomUUID()}` });
      const err = await proposeIntent(deps, callAs(agent.actor), input, {
        idempotencyKey: idem,
        inTransaction: async (tx, stage) => {
          if (stage === at) await tx.$queryRawUnsafe("SELECT pg_terminate_backend(pg_backend_pid())");
        },
      }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).not.toBeNull();
      expect(await rowsFor(input.reason)).toEqual({ intents: 0, audit: 0, auditByReason: 0 });
    }
    // the in-progress key was released, and the pool recovered: the same key now works
    const reason = `after the kill ${randomUUID()}`;
    const ok = await proposeIntent(deps, callAs(agent.actor), prodDeploy({ reason }), { idempotencyKey: idem });
    expect(ok.status).toBe("pending_approval");
    expect(await rowsFor(reason)).toMatchObject({ intents: 1, audit: 1 });
  });

  it("an error thrown inside the proposal's transaction leaves nothing behind and releases the key", async () => {
    const agent = await makeAgent(deps);
    const input = prodDeploy();
    const key = `boom-${randomUUID()}`;
    const failed = await proposeIntent(deps, callAs(agent.actor), input, { idempotencyKey: key, inTransaction: async () => Promise.reject(new Error("boom")) }).catch((e: Error) => e.message);
    expect(failed).toBe("boom");
    expect(await rowsFor(input.reason)).toMatchObject({ intents: 0, auditByReason: 0 });
    expect((await proposeIntent(deps, callAs(agent.actor), input, { idempotencyKey: key })).status).toBe("pending_approval");
  });

  // PGlite has one connection: a second request waits for the first's transaction, so there is no "concurrent" there.
  it.skipIf(!testDatabaseUrl())("a duplicate request while the first is still inside its transaction gets 409, then a replay", async () => {
    const agent = await makeAgent(deps);
    const input = prodDeploy();
    const key = `slow-${randomUUID()}`;
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    const first = proposeIntent(deps, callAs(agent.actor), input, {
      idempotencyKey: key,
      inTransaction: async () => {
        entered();
        await gate;
      },
    });
    await inside;
    const dup = await errorOf(proposeIntent(deps, callAs(agent.actor), input, { idempotencyKey: key }));
    expect(dup.code).toBe("CONFLICT");
    expect(dup.message).toMatch(/in progress/);
    release();
    const done = await first;
    const replay = await proposeIntent(deps, callAs(agent.actor), input, { idempotencyKey: key });
    expect(replay).toEqual(done);
    expect(await deps.db.intent.count({ where: { clientId: agent.clientId } })).toBe(1);
  });
});
