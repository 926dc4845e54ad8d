import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { callAs, caller, errorOf, makeUser, prodDeploy } from "../../../../tests/support/intents";
import { main } from "@/cli/main";
import { createApiKey, ensureBootstrapKey } from "@/server/core/auth/key-store";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import type { Deps } from "@/server/deps";
import { proposeIntent } from "./service";

/** Every key names the person accountable for it, and four-eyes compares that person with the approver. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

const directApproval = (intentId: string, userId: string, hash: string) =>
  deps.db
    .$executeRawUnsafe(
      `INSERT INTO "approval" ("id", "intent_id", "user_id", "decision", "comment", "payload_hash") VALUES ($1::uuid, $2::uuid, $3::uuid, 'approve', 'direct', $4)`,
      randomUUID(),
      intentId,
      userId,
      hash,
    )
    .then(
      () => "no error",
      (e: Error) => `${e.message} ${JSON.stringify((e as { meta?: unknown }).meta ?? {})}`,
    );

describe("key owners and four-eyes", () => {
  it("a key minted by a key inherits its owner, who can then approve intents of neither key", async () => {
    const admin = await makeUser(deps, "admin");
    const parent = await makeKey(deps, ["admin", "intents:propose", "intents:read"], { ownerEmail: admin.email });
    // the CLI's --owner also owns the client; take that away so the key's owner alone is tested
    await deps.db.apiClient.update({ where: { id: parent.clientId }, data: { ownerUserId: null } });
    const parentActor = await authenticateApiKey(deps.db, parent.key, null);
    const child = await caller(deps, parentActor).keys.create({ clientId: parent.clientId, scopes: ["intents:propose"] });
    expect(child.record.ownerUserId).toBe(admin.id);

    const childActor = await authenticateApiKey(deps.db, child.key, null);
    const intent = await proposeIntent(deps, callAs(childActor), prodDeploy());
    const refused = await errorOf(caller(deps, admin).intents.approve({ id: intent.id, comment: "mine", payloadHash: intent.payloadHash }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/You own the API key/) });
    expect(await directApproval(intent.id, admin.id, intent.payloadHash)).toMatch(/approval_four_eyes/);

    const other = await makeUser(deps, "approver");
    const approved = await caller(deps, other).intents.approve({ id: intent.id, comment: "ok", payloadHash: intent.payloadHash });
    expect(["approved", "executing", "succeeded"]).toContain(approved.status);
  });

  it("an admin key cannot mint a new client id, nor scopes beyond its own; nothing is created", async () => {
    const admin = await makeUser(deps, "admin");
    const parent = await makeKey(deps, ["admin", "context:read"], { ownerEmail: admin.email });
    const actor = await authenticateApiKey(deps.db, parent.key, null);
    const fresh = `fresh-${randomUUID().slice(0, 8)}`;
    expect(await errorOf(caller(deps, actor).keys.create({ clientId: fresh, scopes: ["context:read"] }))).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/new client/) });
    expect(await deps.db.apiClient.findUnique({ where: { id: fresh } })).toBeNull();
    expect(await errorOf(caller(deps, actor).keys.create({ clientId: parent.clientId, scopes: ["audit:read"] }))).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/audit:read/) });
    expect(await deps.db.apiKey.count({ where: { clientId: parent.clientId } })).toBe(1);
  });

  it("an admin signed in to the dashboard mints a new client, and owns the key", async () => {
    const admin = await makeUser(deps, "admin");
    const made = await caller(deps, admin).keys.create({ clientId: `dash-${randomUUID().slice(0, 8)}`, scopes: ["context:read"] });
    expect(made.record.ownerUserId).toBe(admin.id);
  });

  it("an intent proposed through a key nobody owns can be denied but never approved, by the server or the database", async () => {
    const agent = await makeKey(deps, ["intents:propose", "intents:read"]);
    expect(agent.record.ownerUserId).toBeNull();
    const intent = await proposeIntent(deps, callAs(await authenticateApiKey(deps.db, agent.key, null)), prodDeploy());
    const approver = await makeUser(deps, "approver");
    const detail = await caller(deps, approver).intents.detail({ id: intent.id });
    expect(detail.eligibility).toMatchObject({ canApprove: false, canDeny: true, reason: expect.stringMatching(/No person is accountable/) });
    expect((await errorOf(caller(deps, approver).intents.approve({ id: intent.id, comment: "x", payloadHash: intent.payloadHash }))).code).toBe("FORBIDDEN");
    expect(await directApproval(intent.id, approver.id, intent.payloadHash)).toMatch(/approval_unowned_key/);
    const denied = await caller(deps, approver).intents.deny({ id: intent.id, comment: "nobody answers for it", payloadHash: intent.payloadHash });
    expect(denied.status).toBe("denied");
  });

  it("the CLI's keys create requires --owner, and a key created with one records that owner", async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((m: unknown) => void errors.push(String(m)));
    try {
      expect(await main(["keys", "create", "--client", "cli-no-owner", "--scopes", "context:read"])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join("\n")).toMatch(/--owner <email>/);
    const owner = await makeUser(deps, "operator");
    const made = await createApiKey(
      deps.audit,
      { actor: { type: "system", id: "cli" }, requestId: randomUUID(), surface: "cli" },
      { clientId: `cli-${randomUUID().slice(0, 8)}`, scopes: ["context:read"], ownerEmail: owner.email },
    );
    expect(made.record.ownerUserId).toBe(owner.id);
  });
});

describe("the bootstrap key (ORCHESTRATOR_API_KEY)", () => {
  it("is owned by the first admin, and a new value revokes the previous key at once, audited", async () => {
    await makeUser(deps, "admin"); // at least one admin exists
    const firstAdmin = await deps.db.user.findFirstOrThrow({ where: { role: "admin", disabledAt: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const first = `bootstrap-${randomUUID()}`;
    const second = `bootstrap-${randomUUID()}`;
    expect(await ensureBootstrapKey(deps.audit, first, deps.apiKeyCache)).toBe(true);
    const before = await authenticateApiKey(deps.db, first, null, { cache: deps.apiKeyCache });
    expect(before.type === "api_key" && before.clientId).toBe("bootstrap");
    const row = await deps.db.apiKey.findFirstOrThrow({ where: { id: before.type === "api_key" ? before.keyId : "" } });
    expect(row.ownerUserId).toBe(firstAdmin.id);

    expect(await ensureBootstrapKey(deps.audit, second, deps.apiKeyCache)).toBe(true);
    await expect(authenticateApiKey(deps.db, first, null, { cache: deps.apiKeyCache })).rejects.toThrow(/revoked/);
    expect((await authenticateApiKey(deps.db, second, null, { cache: deps.apiKeyCache })).type).toBe("api_key");
    const revocation = await deps.db.auditEvent.findFirst({ where: { action: "keys.revoke", target: row.prefix } });
    expect(revocation?.detail).toMatchObject({ reason: "ORCHESTRATOR_API_KEY changed" });
    expect(await ensureBootstrapKey(deps.audit, second, deps.apiKeyCache)).toBe(false);
  });
});
