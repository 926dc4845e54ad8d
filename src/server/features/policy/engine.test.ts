import { describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "./defaults";
import { evaluate, globMatch, valueAt, type IntentFacts } from "./engine";
import { rulesSchema, type Rule, type RuleInput } from "./schema";

const rules = (input: RuleInput[]): Rule[] => rulesSchema.parse(input);
const DEFAULTS = rules(DEFAULT_RULES);
// Wednesday 2026-11-25 14:30 UTC
const WED_1430 = new Date("2026-11-25T14:30:00Z");

const intent = (over: Partial<IntentFacts> = {}): IntentFacts => ({ action: "deploy", target: {}, params: {}, ...over });

describe("policy engine: the seeded defaults", () => {
  const cases: { name: string; client: string; intent: IntentFacts; decision: string; rule: string | null }[] = [
    { name: "gpt deploying main is denied", client: "gpt", intent: intent({ target: { repo: "acme/web", branch: "main", environment: "staging" } }), decision: "deny", rule: "gpt-no-deploy-main" },
    { name: "gpt deploying master is denied", client: "gpt", intent: intent({ target: { branch: "master" } }), decision: "deny", rule: "gpt-no-deploy-main" },
    { name: "a gpt-* client deploying MAIN (any case) is denied", client: "gpt-prod", intent: intent({ target: { branch: "MAIN" } }), decision: "deny", rule: "gpt-no-deploy-main" },
    {
      name: "gpt deploying main to production is still denied (first match)",
      client: "gpt",
      intent: intent({ target: { branch: "main", environment: "production" } }),
      decision: "deny",
      rule: "gpt-no-deploy-main",
    },
    {
      name: "gpt deploying a release branch to production needs an approver",
      client: "gpt",
      intent: intent({ target: { branch: "release/1.2", environment: "production" } }),
      decision: "require_approval",
      rule: "production-needs-approver",
    },
    {
      name: "cursor deploying main to production needs an approver",
      client: "cursor",
      intent: intent({ target: { branch: "main", environment: "production" } }),
      decision: "require_approval",
      rule: "production-needs-approver",
    },
    {
      name: "a rollback in prod needs an approver",
      client: "cursor",
      intent: intent({ action: "rollback", target: { environment: "prod" } }),
      decision: "require_approval",
      rule: "production-needs-approver",
    },
    {
      name: "gpt rolling back main is not a deploy: default",
      client: "gpt",
      intent: intent({ action: "rollback", target: { branch: "main", environment: "staging" } }),
      decision: "require_approval",
      rule: "default",
    },
    { name: "gptx is not gpt-*: default", client: "gptx", intent: intent({ target: { branch: "main" } }), decision: "require_approval", rule: "default" },
    { name: "purging a cache falls to the default", client: "gpt", intent: intent({ action: "purge_cache", target: { server: "123" } }), decision: "require_approval", rule: "default" },
  ];
  it.each(cases)("$name", ({ client, intent: facts, decision, rule }) => {
    const result = evaluate(facts, { client }, DEFAULTS, WED_1430);
    expect(result.decision).toBe(decision);
    expect(result.rule).toBe(rule);
    expect(result.trace.at(-1)!.rule).toBe(rule);
    expect(result.trace.at(-1)!.matched).toBe(true);
    expect(result.trace.slice(0, -1).every((t) => !t.matched)).toBe(true);
    expect(result.approvals === null).toBe(decision !== "require_approval");
  });

  it("the production rule asks for one approver or admin within an hour", () => {
    const r = evaluate(intent({ target: { environment: "production" } }), { client: "cursor" }, DEFAULTS, WED_1430);
    expect(r.approvals).toEqual({ count: 1, roles: ["approver", "admin"], expiresInMinutes: 60 });
  });
});

describe("policy engine: conditions", () => {
  const R = rules([
    { id: "weekend-freeze", match: { actions: ["deploy"], time: { days: ["sat", "sun"], timeZone: "Europe/Berlin" } }, decision: "deny" },
    { id: "night-window", match: { actions: ["restart_service"], time: { from: "22:00", to: "06:00", timeZone: "America/New_York" } }, decision: "allow" },
    { id: "office-hours", match: { actions: ["purge_cache"], time: { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" } }, decision: "allow" },
    { id: "debug-workflow", match: { actions: ["run_workflow"], params: { "inputs.debug": [true, "true"], workflow: "ci-*.yml" } }, decision: "allow" },
    { id: "two-admins", match: { target: { repo: ["acme/*"], environment: ["prod*"] } }, decision: "require_approval", approvals: { count: 2, roles: ["admin"], expiresInMinutes: 30 } },
    { id: "servers", match: { target: { server: ["1?3"], app: ["shop-*"] } }, decision: "allow" },
  ]);

  const cases: { name: string; facts: IntentFacts; now: string; decision: string; rule: string | null }[] = [
    {
      name: "Saturday 00:30 in Berlin (Friday 23:30 UTC) freezes deploys",
      facts: intent({ target: { repo: "acme/web", environment: "prod" } }),
      now: "2026-11-27T23:30:00Z",
      decision: "deny",
      rule: "weekend-freeze",
    },
    {
      name: "Friday 23:30 in Berlin is not frozen",
      facts: intent({ target: { repo: "acme/web", environment: "prod" } }),
      now: "2026-11-27T22:30:00Z",
      decision: "require_approval",
      rule: "two-admins",
    },
    { name: "restart at 23:00 New York (04:00 UTC) is in the overnight window", facts: intent({ action: "restart_service" }), now: "2026-11-26T04:00:00Z", decision: "allow", rule: "night-window" },
    { name: "restart at 12:00 New York is outside it", facts: intent({ action: "restart_service" }), now: "2026-11-25T17:00:00Z", decision: "deny", rule: null },
    { name: "purge on Wednesday 14:30 UTC", facts: intent({ action: "purge_cache" }), now: "2026-11-25T14:30:00Z", decision: "allow", rule: "office-hours" },
    { name: "purge at 17:00 UTC (end exclusive)", facts: intent({ action: "purge_cache" }), now: "2026-11-25T17:00:00Z", decision: "deny", rule: null },
    {
      name: "debug workflow with a boolean",
      facts: intent({ action: "run_workflow", params: { workflow: "ci-main.yml", inputs: { debug: true } } }),
      now: "2026-11-25T14:30:00Z",
      decision: "allow",
      rule: "debug-workflow",
    },
    {
      name: "debug workflow with a string",
      facts: intent({ action: "run_workflow", params: { workflow: "CI-x.yml", inputs: { debug: "true" } } }),
      now: "2026-11-25T14:30:00Z",
      decision: "allow",
      rule: "debug-workflow",
    },
    { name: "a param missing does not match", facts: intent({ action: "run_workflow", params: { workflow: "ci-main.yml" } }), now: "2026-11-25T14:30:00Z", decision: "deny", rule: null },
    {
      name: "a prototype path never matches",
      facts: intent({ action: "run_workflow", params: JSON.parse('{"workflow":"ci-a.yml","__proto__":{"debug":true}}') }),
      now: "2026-11-25T14:30:00Z",
      decision: "deny",
      rule: null,
    },
    {
      name: "acme prod needs two admins",
      facts: intent({ action: "merge_pr", target: { repo: "acme/web", environment: "production" } }),
      now: "2026-11-25T14:30:00Z",
      decision: "require_approval",
      rule: "two-admins",
    },
    { name: "? matches one character", facts: intent({ action: "create_backup", target: { server: "123", app: "shop-eu" } }), now: "2026-11-25T14:30:00Z", decision: "allow", rule: "servers" },
    { name: "an unset target field does not match", facts: intent({ action: "create_backup", target: { server: "123" } }), now: "2026-11-25T14:30:00Z", decision: "deny", rule: null },
  ];
  it.each(cases)("$name", ({ facts, now, decision, rule }) => {
    const result = evaluate(facts, { client: "cursor" }, R, new Date(now));
    expect({ decision: result.decision, rule: result.rule }).toEqual({ decision, rule });
    if (rule === null) expect(result.trace).toHaveLength(R.length);
  });

  it("the trace says why each rule did not match", () => {
    const result = evaluate(intent({ action: "purge_cache" }), { client: "cursor" }, R, new Date("2026-11-25T18:00:00Z"));
    const office = result.trace.find((t) => t.rule === "office-hours")!;
    expect(office.matched).toBe(false);
    expect(office.reasons.join(" ")).toMatch(/outside 09:00–17:00/);
    expect(result.trace[0]!.reasons.join(" ")).toMatch(/action purge_cache is not one of deploy/);
  });
});

describe("rule validation", () => {
  const bad: [string, unknown][] = [
    ["require_approval without approvals", [{ id: "a", decision: "require_approval" }]],
    ["approvals on allow", [{ id: "a", decision: "allow", approvals: { count: 1, roles: ["admin"], expiresInMinutes: 5 } }]],
    ["a non-approver role", [{ id: "a", decision: "require_approval", approvals: { count: 1, roles: ["operator"], expiresInMinutes: 5 } }]],
    [
      "duplicate ids",
      [
        { id: "a", decision: "allow" },
        { id: "a", decision: "deny" },
      ],
    ],
    ["an unknown action", [{ id: "a", decision: "allow", match: { actions: ["drop_database"] } }]],
    ["an unknown time zone", [{ id: "a", decision: "allow", match: { time: { days: ["mon"], timeZone: "Mars/Olympus" } } }]],
    ["half an hour range", [{ id: "a", decision: "allow", match: { time: { from: "09:00" } } }]],
    ["an unknown field", [{ id: "a", decision: "allow", match: { client: ["gpt"] } }]],
    ["a regex-looking glob", [{ id: "a", decision: "allow", match: { clients: ["(a+)+$"] } }]],
    ["no rules", []],
  ];
  it.each(bad)("refuses %s", (_, input) => {
    expect(rulesSchema.safeParse(input).success).toBe(false);
  });
});

describe("globMatch and valueAt", () => {
  it.each([
    ["main", "main", true],
    ["main", "Main", true],
    ["release/*", "release/1.2", true],
    ["release/*", "release", false],
    ["*", "", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["?", "", false],
  ] as const)("%s ~ %s → %s", (p, v, ok) => expect(globMatch(p, v)).toBe(ok));

  it("is fast on hostile input (no backtracking blow-up)", () => {
    const started = performance.now();
    expect(globMatch("*a*a*a*a*a*a*a*a*b", "a".repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("reads own properties only", () => {
    expect(valueAt({ a: { b: 1 } }, "a.b")).toBe(1);
    expect(valueAt({}, "constructor")).toBeUndefined();
    expect(valueAt({ a: [1] }, "a.0")).toBeUndefined();
  });
});
