import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { callAs, caller, errorOf, makeAgent, makeUser, prodDeploy } from "../../../../tests/support/intents";
import type { Deps } from "@/server/deps";
import { proposeIntent } from "./service";
import { dbNow } from "./store";

/** Expiry is judged by the database clock, lazily on read and decide, and by the trigger on approval. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

describe("expiry by the database clock", () => {
  it("an intent proposed with a clock two hours back (60-minute expiry) cannot be approved and reads as expired", async () => {
    const agent = await makeAgent(deps);
    const approver = await makeUser(deps, "approver");
    const past = new Date((await dbNow(deps.db)).getTime() - 2 * 3_600_000);
    const intent = await proposeIntent(deps, callAs(agent.actor), prodDeploy(), { now: past });
    expect(intent.status).toBe("pending_approval");
    expect(new Date(intent.expiresAt!).getTime()).toBe(past.getTime() + 60 * 60_000);

    const err = await errorOf(caller(deps, approver).intents.approve({ id: intent.id, comment: "too late", payloadHash: intent.payloadHash }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/expired/);
    const polled = await caller(deps, agent.actor).intents.get({ id: intent.id });
    expect(polled.status).toBe("expired");
    const events = await deps.db.auditEvent.findMany({ where: { target: intent.id }, select: { action: true } });
    expect(events.map((e) => e.action)).toContain("intents.expire");
  });

  it("an intent whose expiry is brought to just past now (database time) expires; one a minute ahead does not", async () => {
    const agent = await makeAgent(deps);
    const approver = await makeUser(deps, "admin");
    const late = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    const fresh = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "expires_at" = now() - interval '1 millisecond', "version" = "version" + 1 WHERE "id" = $1::uuid`, late.id);
    await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "expires_at" = now() + interval '1 minute', "version" = "version" + 1 WHERE "id" = $1::uuid`, fresh.id);

    const list = await caller(deps, agent.actor).intents.list({ limit: 10 });
    expect(Object.fromEntries(list.items.map((i) => [i.id, i.status]))).toEqual({ [late.id]: "expired", [fresh.id]: "pending_approval" });
    expect((await errorOf(caller(deps, approver).intents.approve({ id: late.id, comment: "x", payloadHash: late.payloadHash }))).code).toBe("CONFLICT");
    const ok = await caller(deps, approver).intents.approve({ id: fresh.id, comment: "in time", payloadHash: fresh.payloadHash });
    expect(["approved", "executing", "succeeded"]).toContain(ok.status);
  });

  it("a poll of one intent expires it when due (read again, audited), and reads a pending or settled one once", async () => {
    const agent = await makeAgent(deps);
    const due = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    const pending = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "expires_at" = now() - interval '1 millisecond', "version" = "version" + 1 WHERE "id" = $1::uuid`, due.id);
    const polled = await caller(deps, agent.actor).intents.get({ id: due.id });
    expect(polled).toMatchObject({ id: due.id, status: "expired" });
    expect(polled.version).toBeGreaterThan(due.version);
    expect(await deps.db.auditEvent.count({ where: { target: due.id, action: "intents.expire" } })).toBe(1);
    expect(await caller(deps, agent.actor).intents.get({ id: due.id })).toEqual(polled); // settled: as it is
    expect(await caller(deps, agent.actor).intents.get({ id: pending.id })).toMatchObject({ status: "pending_approval", version: pending.version });
  });

  it("the database refuses an approval of an expired intent even when the server's check is skipped", async () => {
    const agent = await makeAgent(deps);
    const approver = await makeUser(deps, "approver");
    const intent = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "expires_at" = now() - interval '1 second', "version" = "version" + 1 WHERE "id" = $1::uuid`, intent.id);
    const res = await deps.db
      .$executeRawUnsafe(
        `INSERT INTO "approval" ("id", "intent_id", "user_id", "decision", "comment", "payload_hash") VALUES (gen_random_uuid(), $1::uuid, $2::uuid, 'approve', 'direct', $3)`,
        intent.id,
        approver.id,
        intent.payloadHash,
      )
      .then(
        () => "inserted",
        (e: Error) => `${e.message} ${JSON.stringify((e as { meta?: unknown }).meta ?? {})}`,
      );
    expect(res).toMatch(/approval_expired/);
    const pushBack = await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "expires_at" = now() + interval '1 day', "version" = "version" + 1 WHERE "id" = $1::uuid`, intent.id).then(
      () => "updated",
      (e: Error) => `${e.message} ${JSON.stringify((e as { meta?: unknown }).meta ?? {})}`,
    );
    expect(pushBack).toMatch(/intent_immutable/);
  });
});
