import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { callAs, caller, errorOf, makeAgent, makeUser, prodDeploy } from "../../../../tests/support/intents";
import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import { cancelIntent, proposeIntent } from "./service";

/** The dashboard's intent history: filters by status, action, client and time, cursor pages, humans only. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

describe("intent history", () => {
  it("filters by client, status, action and time of proposal, and pages newest first without gaps or repeats", async () => {
    const agent = await makeAgent(deps);
    const other = await makeAgent(deps);
    const viewer = await makeUser(deps, "viewer");
    const t0 = new Date(Date.now() - 10 * 60_000);
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    const deploys = [];
    for (let i = 0; i < 5; i++) deploys.push(await proposeIntent(deps, callAs(agent.actor), prodDeploy(), { now: at(i) }));
    const issue = await proposeIntent(deps, callAs(agent.actor), { action: "create_issue", target: { repo: "acme/web" }, params: { title: "flaky test" }, reason: "triage" }, { now: at(5) });
    await cancelIntent(deps, callAs(agent.actor), deploys[0]!.id);
    await proposeIntent(deps, callAs(other.actor), prodDeploy(), { now: at(2) });

    const history = caller(deps, viewer).intents.history;
    const ids = async (input: Parameters<typeof history>[0]) => (await history(input)).items.map((i) => i.id);
    const mine = { clientId: agent.clientId, limit: 25 };
    expect(await ids(mine)).toEqual([issue.id, ...deploys.map((d) => d.id).reverse()]);
    expect(await ids({ ...mine, status: "cancelled" })).toEqual([deploys[0]!.id]);
    expect(await ids({ ...mine, action: "create_issue" })).toEqual([issue.id]);
    expect(await ids({ ...mine, since: at(1).toISOString(), until: at(3).toISOString() })).toEqual([deploys[2]!.id, deploys[1]!.id]);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await history({ ...mine, limit: 2, cursor });
      seen.push(...page.items.map((i) => i.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(await ids(mine));
  });

  it("is for signed-in users only: an API key, even an admin one, is refused", async () => {
    const agent = await makeAgent(deps);
    expect((await errorOf(caller(deps, agent.actor).intents.history({ limit: 5 }))).code).toBe("FORBIDDEN");
    const adminKey = { ...agent.actor, scopes: ["admin", "intents:read"] } as Actor;
    expect((await errorOf(caller(deps, adminKey).intents.history({ limit: 5 }))).code).toBe("FORBIDDEN");
  });
});
