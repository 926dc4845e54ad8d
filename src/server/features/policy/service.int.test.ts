import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDeps } from "../../../../tests/support/deps";
import { callAs, caller, errorOf, makeAgent, makeUser, prodDeploy } from "../../../../tests/support/intents";
import type { Deps } from "@/server/deps";
import { proposeIntent } from "@/server/features/intents/service";
import { DEFAULT_RULES } from "./defaults";
import { rulesSchema } from "./schema";
import { activePolicy, getPolicy } from "./service";

/** Versioned, audited policies on a database of their own (changing the policy must not disturb other tests). */
let deps: Deps;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ deps, drop } = await scratchDeps());
}, 120_000);
afterAll(() => drop());

describe("policy versions", () => {
  it("the migration seeds version 1 with exactly the default rules, and they validate", async () => {
    const v1 = await getPolicy(deps.db);
    expect(v1.version).toBe(1);
    expect(v1.rules).toEqual(DEFAULT_RULES);
    expect((await activePolicy(deps.db)).rules).toEqual(rulesSchema.parse(DEFAULT_RULES));
  });

  it("an admin replaces it (new version, audited); a stale base is 409; invalid rules are 422; API keys and non-admins are 403", async () => {
    const admin = await makeUser(deps, "admin");
    const approver = await makeUser(deps, "approver");
    const agent = await makeAgent(deps);
    const base = (await getPolicy(deps.db)).version;
    const rules = [{ id: "allow-all", decision: "allow" }];

    expect((await errorOf(caller(deps, approver).policy.replace({ baseVersion: base, rules, comment: "x" }))).code).toBe("FORBIDDEN");
    const adminKey = { ...agent.actor, scopes: ["admin"] as never };
    expect((await errorOf(caller(deps, adminKey).policy.replace({ baseVersion: base, rules, comment: "x" }))).code).toBe("FORBIDDEN");
    const invalid = await errorOf(caller(deps, admin).policy.replace({ baseVersion: base, rules: [{ id: "x", decision: "require_approval" }], comment: "x" }));
    expect(invalid.code).toBe("UNPROCESSABLE");
    expect(invalid.message).toMatch(/0\.approvals/);

    const saved = await caller(deps, admin).policy.replace({ baseVersion: base, rules, comment: "open the gates" });
    expect(saved.version).toBe(base + 1);
    expect((await errorOf(caller(deps, admin).policy.replace({ baseVersion: base, rules, comment: "stale" }))).code).toBe("CONFLICT");
    const events = await deps.db.auditEvent.findMany({ where: { action: "policy.replace", outcome: "success" } });
    expect(events.map((e) => e.target)).toEqual([`v${base + 1}`]);
    expect((await caller(deps, approver).policy.versions({ limit: 5 })).map((v) => v.version)).toEqual([base + 1, base, ...(base > 1 ? [base - 1] : [])].slice(0, 5));
  });

  it("two admins saving on the same base at once: one version wins, the other gets 409", async () => {
    const [a, b] = await Promise.all([makeUser(deps, "admin"), makeUser(deps, "admin")]);
    const base = (await getPolicy(deps.db)).version;
    const results = await Promise.allSettled([a, b].map((u, i) => caller(deps, u).policy.replace({ baseVersion: base, rules: [{ id: `r${i}`, decision: "deny" }], comment: `race ${i}` })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason.code).toBe("CONFLICT");
    expect((await getPolicy(deps.db)).version).toBe(base + 1);
  });

  it("dry-run names the recent intents a candidate would decide differently", async () => {
    const admin = await makeUser(deps, "admin");
    await caller(deps, admin).policy.replace({ baseVersion: (await getPolicy(deps.db)).version, rules: DEFAULT_RULES, comment: "back to defaults" });
    const agent = await makeAgent(deps);
    const prod = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    const staging = await proposeIntent(deps, callAs(agent.actor), prodDeploy({ target: { repo: "acme/web", ref: "v1", environment: "staging" } }));
    const candidate = [{ id: "staging-free", match: { target: { environment: ["staging"] } }, decision: "allow" }, ...DEFAULT_RULES];
    const result = await caller(deps, admin).policy.dryRun({ rules: candidate, limit: 50 });
    const mine = result.changed.filter((c) => c.id === prod.id || c.id === staging.id);
    expect(mine).toEqual([expect.objectContaining({ id: staging.id, before: { decision: "require_approval", rule: "default" }, after: { decision: "allow", rule: "staging-free" } })]);
    expect(result.considered).toBeGreaterThanOrEqual(2);
    expect((await errorOf(caller(deps, admin).policy.dryRun({ rules: [{}], limit: 5 }))).code).toBe("UNPROCESSABLE");
  });
});
