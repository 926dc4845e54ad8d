import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { makeAgent, prodDeploy } from "../../../../tests/support/intents";
import { handleRest } from "@/server/api/rest";
import { setDeps, type Deps } from "@/server/deps";

/** REST as GPT sees it: propose, poll, check, cancel; BOLA (another client's intent is 404); idempotency. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
});
afterAll(() => closeDeps(deps));

async function rest(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await handleRest(
    new Request(`http://localhost/ai${path}`, {
      method,
      headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("intents over REST", () => {
  it("proposes, polls its own intent, lists it, and checks without creating", async () => {
    const a = await makeAgent(deps);
    const created = await rest("POST", "/intents", a.key, prodDeploy());
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: "pending_approval", policy: { decision: "require_approval", rule: "production-needs-approver" } });
    expect(created.body.policy.trace.length).toBeGreaterThan(0);
    const polled = await rest("GET", `/intents/${created.body.id}`, a.key);
    expect(polled).toMatchObject({ status: 200, body: { id: created.body.id, status: "pending_approval" } });
    const listed = await rest("GET", "/intents?limit=5", a.key);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([created.body.id]);

    const before = await deps.db.intent.count({ where: { clientId: a.clientId } });
    const check = await rest("POST", "/intents/check", a.key, { ...prodDeploy(), target: { repo: "acme/web", ref: "main", environment: "staging" } });
    expect(check).toMatchObject({ status: 200, body: { decision: "require_approval", rule: "default" } });
    expect(await deps.db.intent.count({ where: { clientId: a.clientId } })).toBe(before);

    const auditor = await makeKey(deps, ["audit:read"]);
    const trail = await rest("GET", `/audit?target=${created.body.id}`, auditor.key);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(["intents.propose"]);
  });

  it("a gpt client proposing a deploy of main is denied by policy, with the rule and trace", async () => {
    const gpt = await makeAgent(deps, { clientId: `gpt-${randomUUID().slice(0, 8)}` });
    const res = await rest("POST", "/intents", gpt.key, prodDeploy({ target: { repo: "acme/web", ref: "refs/heads/main", environment: "production" } }));
    expect(res.body).toMatchObject({ status: "denied", target: { ref: "main" }, policy: { decision: "deny", rule: "gpt-no-deploy-main" } });
  });

  it("refuses bad params per action, smuggled environment inputs, unknown fields and a missing scope", async () => {
    const a = await makeAgent(deps);
    expect((await rest("POST", "/intents", a.key, prodDeploy({ params: {} }))).status).toBe(400);
    expect((await rest("POST", "/intents", a.key, prodDeploy({ params: { workflow: "deploy.yml", inputs: { environment: "production" } } }))).status).toBe(400);
    expect((await rest("POST", "/intents", a.key, prodDeploy({ target: { repo: "acme/web", ref: "../main", environment: "production" } }))).status).toBe(400);
    expect((await rest("POST", "/intents", a.key, { ...prodDeploy(), extra: 1 })).status).toBe(400);
    const readOnly = await makeKey(deps, ["intents:read"]);
    expect((await rest("POST", "/intents", readOnly.key, prodDeploy())).status).toBe(403);
  });

  it("BOLA: client B reading, polling, listing or cancelling client A's intent gets 404, never 403", async () => {
    const a = await makeAgent(deps);
    const b = await makeAgent(deps);
    const { body } = await rest("POST", "/intents", a.key, prodDeploy());
    const read = await rest("GET", `/intents/${body.id}`, b.key);
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe("NOT_FOUND");
    expect((await rest("POST", `/intents/${body.id}/cancel`, b.key)).status).toBe(404);
    expect((await rest("GET", `/intents/${randomUUID()}`, b.key)).status).toBe(404);
    expect((await rest("GET", "/intents", b.key)).body.items).toEqual([]);
    expect((await rest("GET", `/intents/${body.id}`, a.key)).body.status).toBe("pending_approval");
    const cancelled = await rest("POST", `/intents/${body.id}/cancel`, a.key);
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled" } });
    expect((await rest("POST", `/intents/${body.id}/cancel`, a.key)).status).toBe(409);
  });

  it("Idempotency-Key: a replay returns the first response and creates nothing; another body → 422", async () => {
    const a = await makeAgent(deps);
    const key = `idem-${randomUUID()}`;
    const input = prodDeploy();
    const first = await rest("POST", "/intents", a.key, input, { "idempotency-key": key });
    const second = await rest("POST", "/intents", a.key, { reason: input.reason, params: input.params, target: input.target, action: input.action }, { "idempotency-key": key });
    expect(first.status).toBe(200);
    expect(second).toEqual(first);
    expect(await deps.db.intent.count({ where: { clientId: a.clientId } })).toBe(1);
    const other = await rest("POST", "/intents", a.key, { ...input, reason: "something else" }, { "idempotency-key": key });
    expect(other.status).toBe(422);
    expect(await deps.db.intent.count({ where: { clientId: a.clientId } })).toBe(1);
    // the same key is a different key for another client
    const b = await makeAgent(deps);
    expect((await rest("POST", "/intents", b.key, input, { "idempotency-key": key })).status).toBe(200);
  });

  it("Idempotency-Key: 8 concurrent identical requests create exactly one intent; the rest replay it or get 409", async () => {
    const a = await makeAgent(deps);
    const key = `idem-${randomUUID()}`;
    const input = prodDeploy();
    const all = await Promise.all(Array.from({ length: 8 }, () => rest("POST", "/intents", a.key, input, { "idempotency-key": key })));
    const statuses = all.map((r) => r.status).sort();
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const ids = new Set(all.filter((r) => r.status === 200).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(await deps.db.intent.count({ where: { clientId: a.clientId } })).toBe(1);
  });
});

describe("intent lists within GPT's response limit", () => {
  it("cuts a page of large intents under 100,000 characters and pages through all of them", async () => {
    const a = await makeAgent(deps);
    const body = "x".repeat(20_000);
    const created: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await rest("POST", "/intents", a.key, { action: "create_issue", target: { repo: "acme/web" }, params: { title: `big ${i}`, body }, reason: "a long issue" });
      expect(res.status).toBe(200);
      created.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await handleRest(new Request(`http://localhost/ai/intents?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: { "x-api-key": a.key } }));
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text.length).toBeLessThan(100_000);
      const parsed = JSON.parse(text) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...parsed.items.map((i) => i.id));
      cursor = parsed.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...created].reverse());
  });
});

describe("the seeded policy through REST, against another spelling of a deploy to main", () => {
  it.each([
    ["run_workflow of deploy.yml on refs/heads/main", { action: "run_workflow", target: { repo: "acme/web", ref: "refs/heads/main" }, params: { workflow: "deploy.yml" } }],
    ["deploy to 'MAIN '", { action: "deploy", target: { repo: "acme/web", ref: "MAIN ", environment: "staging" }, params: { workflow: "ship.yml" } }],
    ["deploy.yml on a branch with inputs.branch=main", { action: "run_workflow", target: { repo: "acme/web", ref: "feature-x" }, params: { workflow: "deploy.yml", inputs: { branch: "main" } } }],
  ])("a gpt-* client is denied: %s", async (_, intent) => {
    const a = await makeAgent(deps, { clientId: `gpt-${randomUUID().slice(0, 8)}` });
    const checked = await rest("POST", "/intents/check", a.key, { ...intent, reason: "bypass attempt" });
    expect(checked).toMatchObject({ status: 200, body: { decision: "deny", rule: "gpt-no-deploy-main" } });
    const proposed = await rest("POST", "/intents", a.key, { ...intent, reason: "bypass attempt" });
    expect(proposed.body).toMatchObject({ status: "denied" });
  });
});
