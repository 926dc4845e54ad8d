import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { callAs, caller, errorOf, makeAgent, makeUser, prodDeploy, waitForStatus } from "../../../../tests/support/intents";
import { systemActor } from "@/server/core/auth/actor";
import { createApiKey } from "@/server/core/auth/key-store";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import type { Deps } from "@/server/deps";
import { proposeIntent } from "./service";

/** Four-eyes, by the server and by the database; every decision audited with its intent. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

async function pending(ownerId?: string) {
  const agent = await makeAgent(deps, { owner: ownerId });
  const intent = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
  expect(intent.status).toBe("pending_approval");
  return { agent, intent };
}

describe("four-eyes on the server", () => {
  it("an approver approves; the intent executes (dry run) and every step is audited with the intent id", async () => {
    const approver = await makeUser(deps, "approver");
    const { intent } = await pending();
    const detail = await caller(deps, approver).intents.approve({ id: intent.id, comment: "looks right", payloadHash: intent.payloadHash });
    expect(["executing", "succeeded"]).toContain(detail.status);
    await waitForStatus(deps, intent.id, ["succeeded"]);
    const events = await deps.db.auditEvent.findMany({ where: { target: intent.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["intents.propose", "intents.approve", "intents.approved", "intents.execute", "intents.succeeded"]);
  });

  it("the owner of the requesting client cannot approve, but may deny", async () => {
    const owner = await makeUser(deps, "approver");
    const { intent } = await pending(owner.id);
    const err = await errorOf(caller(deps, owner).intents.approve({ id: intent.id, comment: "mine", payloadHash: intent.payloadHash }));
    expect(err).toMatchObject({ code: "FORBIDDEN" });
    expect(err.message).toMatch(/Four-eyes/);
    const detail = await caller(deps, owner).intents.deny({ id: intent.id, comment: "not now", payloadHash: intent.payloadHash });
    expect(detail.status).toBe("denied");
  });

  it("the human who created the client (or its key) cannot approve", async () => {
    const creator = await makeUser(deps, "admin");
    const clientId = `test-${randomUUID().slice(0, 8)}`;
    const made = await createApiKey(deps.audit, { actor: creator, requestId: randomUUID(), surface: "trpc" }, { clientId, scopes: ["intents:propose", "intents:read"] });
    const actor = await authenticateApiKey(deps.db, made.key, null);
    const intent = await proposeIntent(deps, callAs(actor), prodDeploy());
    const err = await errorOf(caller(deps, creator).intents.approve({ id: intent.id, comment: "ok", payloadHash: intent.payloadHash }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/created the client/);
  });

  it("keys create with an owner (the CLI's --owner) makes that user the client's owner", async () => {
    const owner = await makeUser(deps, "approver");
    const clientId = `test-${randomUUID().slice(0, 8)}`;
    const made = await createApiKey(
      deps.audit,
      { actor: systemActor("cli"), requestId: randomUUID(), surface: "cli" },
      { clientId, scopes: ["intents:propose"], ownerEmail: owner.email.toUpperCase() },
    );
    expect((await deps.db.apiClient.findUniqueOrThrow({ where: { id: clientId } })).ownerUserId).toBe(owner.id);
    const actor = await authenticateApiKey(deps.db, made.key, null);
    const intent = await proposeIntent(deps, callAs(actor), prodDeploy());
    expect((await errorOf(caller(deps, owner).intents.approve({ id: intent.id, comment: "ok", payloadHash: intent.payloadHash }))).message).toMatch(/You own the client/);
    const missing = await createApiKey(
      deps.audit,
      { actor: systemActor("cli"), requestId: randomUUID(), surface: "cli" },
      { clientId, scopes: ["intents:propose"], ownerEmail: "nobody@nowhere" },
    ).catch((e: Error) => e.message);
    expect(missing).toMatch(/No user with email/);
  });

  it("a user cannot approve their own proposal", async () => {
    const admin = await makeUser(deps, "admin");
    const intent = await proposeIntent(deps, callAs(admin), prodDeploy());
    expect((await errorOf(caller(deps, admin).intents.approve({ id: intent.id, comment: "self", payloadHash: intent.payloadHash }))).code).toBe("FORBIDDEN");
  });

  it("no API key can approve or deny, whatever its scopes (admin included)", async () => {
    const { intent } = await pending();
    const adminKey = await makeAgent(deps);
    const admin = { ...adminKey.actor, scopes: ["admin", "intents:propose", "intents:read"] as never };
    for (const op of ["approve", "deny"] as const) {
      const err = await errorOf(caller(deps, admin).intents[op]({ id: intent.id, comment: "bot", payloadHash: intent.payloadHash }));
      expect(err.code).toBe("FORBIDDEN");
    }
  });

  it("operators and viewers cannot decide", async () => {
    const { intent } = await pending();
    for (const role of ["operator", "viewer"] as const) {
      const u = await makeUser(deps, role);
      expect((await errorOf(caller(deps, u).intents.approve({ id: intent.id, comment: "x", payloadHash: intent.payloadHash }))).code).toBe("FORBIDDEN");
    }
  });

  it("nobody decides twice; the decision binds to the payload hash; a comment is required", async () => {
    const agent = await makeAgent(deps);
    const two = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    const a = await makeUser(deps, "approver");
    expect((await errorOf(caller(deps, a).intents.approve({ id: two.id, comment: "x", payloadHash: "0".repeat(64) }))).code).toBe("CONFLICT");
    expect((await errorOf(caller(deps, a).intents.approve({ id: two.id, comment: "   ", payloadHash: two.payloadHash }))).code).toBe("BAD_REQUEST");
    await caller(deps, a).intents.deny({ id: two.id, comment: "no", payloadHash: two.payloadHash });
    const again = await errorOf(caller(deps, a).intents.approve({ id: two.id, comment: "changed my mind", payloadHash: two.payloadHash }));
    expect(again.code).toBe("CONFLICT");
  });

  it("an unknown intent is 404", async () => {
    const a = await makeUser(deps, "approver");
    expect((await errorOf(caller(deps, a).intents.approve({ id: randomUUID(), comment: "x", payloadHash: "0".repeat(64) }))).code).toBe("NOT_FOUND");
  });
});

describe("four-eyes in the database (a bug in the server cannot get past it)", () => {
  const insert = (intentId: string, userId: string, hash: string, decision = "approve") =>
    deps.db.$executeRawUnsafe(
      `INSERT INTO "approval" ("id", "intent_id", "user_id", "decision", "comment", "payload_hash") VALUES ($1::uuid, $2::uuid, $3::uuid, $4, 'direct', $5)`,
      randomUUID(),
      intentId,
      userId,
      decision,
      hash,
    );
  const message = async (p: Promise<unknown>) =>
    p.then(
      () => "no error",
      (e: Error) => `${e.message} ${JSON.stringify((e as { meta?: unknown }).meta ?? {})}`,
    );

  it("refuses the owner, a wrong hash, a viewer, a second decision and a non-pending intent", async () => {
    const owner = await makeUser(deps, "approver");
    const viewer = await makeUser(deps, "viewer");
    const ok = await makeUser(deps, "approver");
    const { intent } = await pending(owner.id);
    expect(await message(insert(intent.id, owner.id, intent.payloadHash))).toMatch(/approval_four_eyes/);
    expect(await message(insert(intent.id, ok.id, "f".repeat(64)))).toMatch(/approval_payload_mismatch/);
    expect(await message(insert(intent.id, viewer.id, intent.payloadHash))).toMatch(/approval_forbidden/);
    expect(await message(insert(intent.id, ok.id, intent.payloadHash))).toBe("no error");
    expect(await message(insert(intent.id, ok.id, intent.payloadHash))).toMatch(/approval_intent_id_user_id_key|Unique constraint/);
    await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "status" = 'approved', "version" = "version" + 1 WHERE "id" = $1::uuid`, intent.id);
    const late = await makeUser(deps, "admin");
    expect(await message(insert(intent.id, late.id, intent.payloadHash))).toMatch(/approval_not_pending/);
  });

  it("refuses a status change that skips approvals, the state machine or the version", async () => {
    const { intent } = await pending();
    const update = (sql: string) => message(deps.db.$executeRawUnsafe(sql, intent.id));
    expect(await update(`UPDATE "intent" SET "status" = 'approved', "version" = "version" + 1 WHERE "id" = $1::uuid`)).toMatch(/intent_not_approved/);
    expect(await update(`UPDATE "intent" SET "status" = 'executing', "version" = "version" + 1 WHERE "id" = $1::uuid`)).toMatch(/intent_illegal_transition/);
    expect(await update(`UPDATE "intent" SET "status" = 'cancelled' WHERE "id" = $1::uuid`)).toMatch(/intent_version/);
    expect(await update(`UPDATE "intent" SET "params" = '{"workflow":"evil.yml"}', "version" = "version" + 1 WHERE "id" = $1::uuid`)).toMatch(/intent_immutable/);
    expect(await update(`DELETE FROM "intent" WHERE "id" = $1::uuid`)).toMatch(/append-only/);
  });
});
