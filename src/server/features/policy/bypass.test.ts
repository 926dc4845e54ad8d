import { describe, expect, it } from "vitest";
import { factsOf, shaBranchesOf } from "@/server/features/intents/actions";
import { parsePayload } from "@/server/features/intents/service";
import type { ProposeInput } from "@/server/features/intents/schema";
import { DEFAULT_RULES } from "./defaults";
import { evaluate } from "./engine";
import { rulesSchema } from "./schema";

/**
 * Attempts to get past a rule by saying the same thing another way: another action doing the same
 * work, another spelling of the branch, the branch in a workflow input, or a commit SHA. Each goes
 * through the action schemas (as a proposal does), then the seeded policy.
 */
const DEFAULTS = rulesSchema.parse(DEFAULT_RULES);
const NOW = new Date("2026-11-25T14:30:00Z");
const MAIN_HEAD = "a".repeat(40);
const OTHER_SHA = "b".repeat(40);
/** What GitHub would answer for the repo: main's head, and a commit no branch points at. */
const branchesAt = async (_repo: string, sha: string) => (sha.toLowerCase() === MAIN_HEAD ? ["main"] : []);

async function decide(input: Omit<ProposeInput, "reason">, client = "gpt", lookup: typeof branchesAt | null = branchesAt, rules = DEFAULTS) {
  const payload = parsePayload({ reason: "test", ...input } as ProposeInput);
  const facts = factsOf(payload, await shaBranchesOf(payload, lookup));
  const result = evaluate(facts, { client }, rules, NOW);
  return { decision: result.decision, rule: result.rule };
}

const deploy = (ref: string, extra: Record<string, unknown> = {}) => ({
  action: "deploy" as const,
  target: { repo: "acme/web", ref, environment: "staging" },
  params: { workflow: "deploy.yml", ...extra },
});
const run = (workflow: string, ref: string, inputs?: Record<string, string>) => ({
  action: "run_workflow" as const,
  target: { repo: "acme/web", ref },
  params: { workflow, ...(inputs ? { inputs } : {}) },
});
const DENIED = { decision: "deny", rule: "gpt-no-deploy-main" };
const DEFAULT = { decision: "require_approval", rule: "default" };

describe("the seeded 'GPT cannot deploy to main' against bypass attempts", () => {
  type Lookup = typeof branchesAt | null;
  const cases: [string, Omit<ProposeInput, "reason">, Lookup, { decision: string; rule: string | null }][] = [];
  const add = (name: string, input: Omit<ProposeInput, "reason">, expected: { decision: string; rule: string | null }, lookup: Lookup = branchesAt) => cases.push([name, input, lookup, expected]);
  add("deploy main", deploy("main"), DENIED);
  add("refs/heads/main", deploy("refs/heads/main"), DENIED);
  add("Refs/Heads/main (any case of the prefix)", deploy("Refs/Heads/main"), DENIED);
  add("heads/main (git's short form)", deploy("heads/main"), DENIED);
  add("MAIN", deploy("MAIN"), DENIED);
  add("'main ' with a trailing space", deploy("main "), DENIED);
  add("' refs/heads/master' with a leading space", deploy(" refs/heads/master"), DENIED);
  add("main's head commit as the ref", deploy(MAIN_HEAD), DENIED);
  add("main's head commit in upper case", deploy(MAIN_HEAD.toUpperCase()), DENIED);
  add("a SHA when GitHub cannot be asked (unknown branch: stricter)", deploy(OTHER_SHA), DENIED, null);
  add("a SHA no branch points at", deploy(OTHER_SHA), DEFAULT);
  add("run_workflow of deploy.yml on main (action alias)", run("deploy.yml", "main"), DENIED);
  add("run_workflow of Deploy-Prod.yaml on refs/heads/master", run("Deploy-Prod.yaml", "refs/heads/master"), DENIED);
  add("run_workflow of release.yml on main", run("release.yml", "main"), DENIED);
  add("run_workflow by numeric workflow id on main (name unknown)", run("12345", "main"), DENIED);
  add("run_workflow of deploy.yml on a branch, main named in an input", run("deploy.yml", "feature-x", { branch: "main" }), DENIED);
  add("run_workflow of deploy.yml with inputs.target_ref=refs/heads/main", run("deploy.yml", "feature-x", { target_ref: "refs/heads/main" }), DENIED);
  add("deploy with main's head SHA in an input", deploy("feature-x", { inputs: { deploy_sha: MAIN_HEAD } }), DENIED);
  add("run_workflow of ci.yml on main is not a deploy", run("ci.yml", "main"), DEFAULT);
  add("deploy of a feature branch is not main", deploy("feature-x"), DEFAULT);
  add("a non-GPT client may ask to deploy main", deploy("main"), DEFAULT);
  it.each(cases)("%s", async (name, input, lookup, expected) => {
    const client = name.startsWith("a non-GPT") ? "cursor" : "gpt";
    expect(await decide(input, client, lookup)).toEqual(expected);
  });
});

describe("production approval through a workflow input", () => {
  it("an input env=production on a deploy workflow still needs an approver", async () => {
    expect(await decide(run("deploy.yml", "feature-x", { env: "Production" }), "cursor")).toEqual({ decision: "require_approval", rule: "production-needs-approver" });
  });
});

describe("rules on the workflow and on any input", () => {
  const rules = rulesSchema.parse([
    { id: "no-nuke", match: { target: { workflow: ["nuke*.yml"] } }, decision: "deny" },
    { id: "no-force", match: { params: { "inputs.force": ["true", true] } }, decision: "deny" },
    { id: "features-free", match: { actions: ["run_workflow"], target: { branch: ["feature-*"] } }, decision: "allow" },
    { id: "rest", match: {}, decision: "require_approval", approvals: { count: 1, roles: ["admin"], expiresInMinutes: 60 } },
  ]);
  it.each([
    ["a rule names the workflow file, any case", run("NUKE-db.yml", "feature-x"), { decision: "deny", rule: "no-nuke" }],
    ["a rule names any input", run("ci.yml", "feature-x", { force: "true" }), { decision: "deny", rule: "no-force" }],
    ["an allow on feature branches allows a feature run", run("ci.yml", "feature-x"), { decision: "allow", rule: "features-free" }],
    ["… but not when an input names main", run("ci.yml", "feature-x", { branch: "main" }), { decision: "require_approval", rule: "rest" }],
    ["… nor a deploy workflow (it counts as deploy, not listed)", run("deploy.yml", "feature-x"), { decision: "require_approval", rule: "rest" }],
    ["… nor an unknown SHA", run("ci.yml", "feature-x", { sha: OTHER_SHA }), { decision: "require_approval", rule: "rest" }],
  ] as const)("%s", async (_, input, expected) => {
    expect(await decide(input, "cursor", null, rules)).toEqual(expected);
  });
});

describe("shaBranchesOf", () => {
  it("is undefined without a SHA, or when GitHub fails (unknown, not 'no branch')", async () => {
    const payload = parsePayload({ reason: "t", ...deploy(MAIN_HEAD) } as ProposeInput);
    expect(await shaBranchesOf(parsePayload({ reason: "t", ...deploy("main") } as ProposeInput), branchesAt)).toBeUndefined();
    expect(await shaBranchesOf(payload, async () => Promise.reject(new Error("down")))).toBeUndefined();
    expect(await shaBranchesOf(payload, branchesAt)).toEqual(["main"]);
  });
});
