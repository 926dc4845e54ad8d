import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { caller, errorOf, makeAgent, makeUser, prodDeploy, waitForStatus } from "../../../../tests/support/intents";
import { handleRest } from "@/server/api/rest";
import { setDeps, type Deps } from "@/server/deps";

/** `/ai/audit?intentId=`: one intent's whole story, including the calls that only named it in their input. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
});
afterAll(() => closeDeps(deps));

async function rest(method: string, path: string, key: string, body?: unknown) {
  const res = await handleRest(
    new Request(`http://localhost/ai${path}`, {
      method,
      headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

interface Row {
  action: string;
  target: string | null;
  outcome: string;
}

describe("audit filtered by intent id", () => {
  it("returns the proposal, polls, a refused approval, the approval and the execution of that intent, and nothing of another", async () => {
    const agent = await makeAgent(deps);
    const auditor = await makeKey(deps, ["audit:read"]);
    const [viewer, approver] = await Promise.all([makeUser(deps, "viewer"), makeUser(deps, "approver")]);

    const mine = (await rest("POST", "/intents", agent.key, prodDeploy())).body;
    const other = (await rest("POST", "/intents", agent.key, prodDeploy())).body;
    expect((await rest("GET", `/intents/${mine.id}`, agent.key)).status).toBe(200);
    expect((await rest("GET", `/intents/${other.id}`, agent.key)).status).toBe(200);
    expect((await errorOf(caller(deps, viewer).intents.approve({ id: mine.id, comment: "lgtm", payloadHash: mine.payloadHash }))).code).toBe("FORBIDDEN");
    await caller(deps, approver).intents.approve({ id: mine.id, comment: "ship it", payloadHash: mine.payloadHash });
    await waitForStatus(deps, mine.id, ["succeeded"]);

    const trail = await rest("GET", `/audit?intentId=${mine.id}&limit=50`, auditor.key);
    expect(trail.status).toBe(200);
    const rows = trail.body.items as Row[];
    const actions = rows.map((e) => e.action).reverse();
    expect(actions).toEqual(["intents.propose", "intents.get", "intents.approve", "intents.approve", "intents.approved", "intents.execute", "intents.succeeded"]);
    expect(rows.find((e) => e.action === "intents.get")).toMatchObject({ target: null, outcome: "success" });
    expect(
      rows
        .filter((e) => e.action === "intents.approve")
        .map((e) => e.outcome)
        .sort(),
    ).toEqual(["denied", "success"]);

    const otherTrail = (await rest("GET", `/audit?intentId=${other.id}`, auditor.key)).body.items as Row[];
    expect(otherTrail.map((e) => e.action).reverse()).toEqual(["intents.propose", "intents.get"]);
    const upper = (await rest("GET", `/audit?intentId=${other.id.toUpperCase()}`, auditor.key)).body.items as Row[];
    expect(upper).toEqual(otherTrail);
  });

  it("combines with full-text search and the other filters, and refuses an id that is not a UUID", async () => {
    const agent = await makeAgent(deps);
    const auditor = await makeKey(deps, ["audit:read"]);
    const intent = (await rest("POST", "/intents", agent.key, prodDeploy())).body;
    await rest("GET", `/intents/${intent.id}`, agent.key);
    await rest("POST", `/intents/${intent.id}/cancel`, agent.key);

    const searched = (await rest("GET", `/audit?intentId=${intent.id}&q=cancel`, auditor.key)).body.items as Row[];
    expect(searched.map((e) => e.action)).toEqual(["intents.cancel"]);
    const polls = (await rest("GET", `/audit?intentId=${intent.id}&action=intents.get`, auditor.key)).body.items as Row[];
    expect(polls.map((e) => e.action)).toEqual(["intents.get"]);
    const bySearchAndTarget = (await rest("GET", `/audit?target=${intent.id}&q=intents`, auditor.key)).body.items as Row[];
    expect(bySearchAndTarget.every((e) => e.target === intent.id)).toBe(true);
    expect(bySearchAndTarget.length).toBeGreaterThan(0);

    const bad = await rest("GET", "/audit?intentId=not-a-uuid", auditor.key);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/intentId/);
  });
});
