import { describe, expect, it } from "vitest";
import { emptySnapshot, type ConnectionSignal, type Snapshot, type WorkflowSignal } from "../snapshot";
import { RULES, runRules } from "./index";

const NOW = new Date("2026-12-06T06:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const daysAgo = (d: number) => hoursAgo(d * 24);
const inDays = (d: number) => hoursAgo(-d * 24);

function conn(over: Partial<ConnectionSignal> = {}): ConnectionSignal {
  return {
    id: "wordpress",
    label: "WordPress",
    state: "up",
    since: daysAgo(3),
    error: null,
    changes24h: 0,
    uptime7d: { pct: 100, probes: 10_000, down: 0, coverage: 1 },
    latency: { p95Ms: 120, hours: 24, baselineP95Ms: 110, baselineHours: 168 },
    siteHealthCritical: [],
    ...over,
  };
}

function wf(over: Partial<WorkflowSignal> = {}): WorkflowSignal {
  return { repo: "acme/web", workflow: "CI", workflowId: 42, branch: "main", runs: 10, failures: 0, medianSeconds: 300, previousMedianSeconds: 290, previousRuns: 10, lastFailureUrl: null, ...over };
}

const snap = (over: Partial<Snapshot>, now = NOW): Snapshot => ({ ...emptySnapshot(now), ...over });

interface Case {
  name: string;
  rule: keyof typeof RULES;
  snapshot: Snapshot;
  /** Expected findings: [subject, severity] each; [] when the rule must stay quiet. */
  expect: [string, string][];
}

const cases: Case[] = [
  { name: "a connection down", rule: "connection-down", snapshot: snap({ connections: [conn({ state: "down", since: hoursAgo(2), error: "ECONNREFUSED" })] }), expect: [["wordpress", "critical"]] },
  { name: "a connection up", rule: "connection-down", snapshot: snap({ connections: [conn()] }), expect: [] },
  { name: "flapping: 4 changes in 24 h", rule: "connection-flapping", snapshot: snap({ connections: [conn({ changes24h: 4 })] }), expect: [["wordpress", "warning"]] },
  { name: "not flapping: 3 changes", rule: "connection-flapping", snapshot: snap({ connections: [conn({ changes24h: 3 })] }), expect: [] },
  { name: "uptime 99 %", rule: "uptime-below-target", snapshot: snap({ connections: [conn({ uptime7d: { pct: 99, probes: 1000, down: 10, coverage: 1 } })] }), expect: [["wordpress", "warning"]] },
  {
    name: "uptime 90 % is critical",
    rule: "uptime-below-target",
    snapshot: snap({ connections: [conn({ uptime7d: { pct: 90, probes: 1000, down: 100, coverage: 1 } })] }),
    expect: [["wordpress", "critical"]],
  },
  { name: "uptime low but too little data", rule: "uptime-below-target", snapshot: snap({ connections: [conn({ uptime7d: { pct: 50, probes: 4, down: 2, coverage: 0.1 } })] }), expect: [] },
  { name: "uptime at target", rule: "uptime-below-target", snapshot: snap({ connections: [conn({ uptime7d: { pct: 99.5, probes: 1000, down: 5, coverage: 1 } })] }), expect: [] },
  {
    name: "p95 doubled",
    rule: "latency-regression",
    snapshot: snap({ connections: [conn({ latency: { p95Ms: 400, hours: 24, baselineP95Ms: 200, baselineHours: 168 } })] }),
    expect: [["wordpress", "warning"]],
  },
  {
    name: "p95 tripled is critical",
    rule: "latency-regression",
    snapshot: snap({ connections: [conn({ latency: { p95Ms: 900, hours: 24, baselineP95Ms: 200, baselineHours: 168 } })] }),
    expect: [["wordpress", "critical"]],
  },
  {
    name: "p95 doubled but only 20 ms more",
    rule: "latency-regression",
    snapshot: snap({ connections: [conn({ latency: { p95Ms: 40, hours: 24, baselineP95Ms: 20, baselineHours: 168 } })] }),
    expect: [],
  },
  { name: "p95 without a baseline", rule: "latency-regression", snapshot: snap({ connections: [conn({ latency: { p95Ms: 900, hours: 24, baselineP95Ms: null, baselineHours: 0 } })] }), expect: [] },
  { name: "workflow failing 40 %", rule: "workflow-failing", snapshot: snap({ workflows: [wf({ failures: 4 })] }), expect: [["acme/web/CI", "warning"]] },
  { name: "workflow failing 70 % is critical", rule: "workflow-failing", snapshot: snap({ workflows: [wf({ failures: 7 })] }), expect: [["acme/web/CI", "critical"]] },
  { name: "workflow failing 20 %", rule: "workflow-failing", snapshot: snap({ workflows: [wf({ failures: 2 })] }), expect: [] },
  { name: "workflow with 2 runs, both failed", rule: "workflow-failing", snapshot: snap({ workflows: [wf({ runs: 2, failures: 2 })] }), expect: [] },
  { name: "workflow twice as slow", rule: "workflow-slowing", snapshot: snap({ workflows: [wf({ medianSeconds: 600, previousMedianSeconds: 300 })] }), expect: [["acme/web/CI", "info"]] },
  { name: "workflow 20 s slower", rule: "workflow-slowing", snapshot: snap({ workflows: [wf({ medianSeconds: 50, previousMedianSeconds: 30 })] }), expect: [] },
  { name: "client with many 4xx", rule: "client-errors", snapshot: snap({ clients: [{ clientId: "gpt", calls: 100, clientErrors: 40, serverErrors: 0 }] }), expect: [["gpt", "info"]] },
  { name: "client with 5xx", rule: "client-errors", snapshot: snap({ clients: [{ clientId: "gpt", calls: 1000, clientErrors: 3, serverErrors: 6 }] }), expect: [["gpt", "warning"]] },
  { name: "client with a few 4xx among many calls", rule: "client-errors", snapshot: snap({ clients: [{ clientId: "gpt", calls: 10_000, clientErrors: 40, serverErrors: 1 }] }), expect: [] },
  {
    name: "an intent waiting 30 h",
    rule: "intent-waiting",
    snapshot: snap({ pendingIntents: [{ id: "11111111-1111-4111-8111-111111111111", action: "deploy", requester: "gpt", createdAt: hoursAgo(30), expiresAt: null }] }),
    expect: [["pending", "warning"]],
  },
  { name: "an intent waiting 2 h", rule: "intent-waiting", snapshot: snap({ pendingIntents: [{ id: "i", action: "deploy", requester: "gpt", createdAt: hoursAgo(2), expiresAt: null }] }), expect: [] },
  {
    name: "intents expired unseen",
    rule: "intent-expired-unseen",
    snapshot: snap({ expiredUnseen: [{ id: "i", action: "deploy", requester: "gpt", createdAt: daysAgo(2), expiresAt: daysAgo(1) }] }),
    expect: [["expired", "info"]],
  },
  { name: "no intent expired unseen", rule: "intent-expired-unseen", snapshot: snap({}), expect: [] },
  {
    name: "index behind the branch",
    rule: "index-behind",
    snapshot: snap({ repos: [{ repo: "acme/web", defaultBranch: "main", indexState: "ready", indexedSha: "a".repeat(40), indexedAt: daysAgo(2), headSha: "b".repeat(40), headDate: daysAgo(1) }] }),
    expect: [["acme/web", "info"]],
  },
  {
    name: "index behind a push of 10 minutes ago",
    rule: "index-behind",
    snapshot: snap({ repos: [{ repo: "acme/web", defaultBranch: "main", indexState: "ready", indexedSha: "a".repeat(40), indexedAt: daysAgo(2), headSha: "b".repeat(40), headDate: hoursAgo(0.1) }] }),
    expect: [],
  },
  {
    name: "index failed",
    rule: "index-behind",
    snapshot: snap({ repos: [{ repo: "acme/web", defaultBranch: "main", indexState: "failed", indexedSha: "a".repeat(40), indexedAt: daysAgo(2), headSha: "a".repeat(40), headDate: daysAgo(3) }] }),
    expect: [["acme/web", "warning"]],
  },
  {
    name: "index up to date",
    rule: "index-behind",
    snapshot: snap({ repos: [{ repo: "acme/web", defaultBranch: "main", indexState: "ready", indexedSha: "a".repeat(40), indexedAt: daysAgo(2), headSha: "a".repeat(40), headDate: daysAgo(3) }] }),
    expect: [],
  },
  { name: "a job 3 intervals late", rule: "job-late", snapshot: snap({ lateJobs: [{ name: "probe", lastSuccessAt: hoursAgo(3), intervalSeconds: 3600 }] }), expect: [["probe", "warning"]] },
  { name: "a job that never succeeded", rule: "job-late", snapshot: snap({ lateJobs: [{ name: "probe", lastSuccessAt: null, intervalSeconds: 3600 }] }), expect: [["probe", "critical"]] },
  { name: "a job on time", rule: "job-late", snapshot: snap({ lateJobs: [{ name: "probe", lastSuccessAt: hoursAgo(1), intervalSeconds: 3600 }] }), expect: [] },
  {
    name: "a key unused 100 days",
    rule: "key-unused",
    snapshot: snap({ keys: [{ prefix: "oo_ab12", clientId: "ci", createdAt: daysAgo(200), lastUsedAt: daysAgo(100), expiresAt: null }] }),
    expect: [["oo_ab12", "info"]],
  },
  {
    name: "a key never used, made 95 days ago",
    rule: "key-unused",
    snapshot: snap({ keys: [{ prefix: "oo_ab12", clientId: "ci", createdAt: daysAgo(95), lastUsedAt: null, expiresAt: null }] }),
    expect: [["oo_ab12", "info"]],
  },
  { name: "a key used yesterday", rule: "key-unused", snapshot: snap({ keys: [{ prefix: "oo_ab12", clientId: "ci", createdAt: daysAgo(200), lastUsedAt: daysAgo(1), expiresAt: null }] }), expect: [] },
  {
    name: "a key expiring in 10 days",
    rule: "key-expiring",
    snapshot: snap({ keys: [{ prefix: "oo_ab12", clientId: "ci", createdAt: daysAgo(20), lastUsedAt: daysAgo(1), expiresAt: inDays(10) }] }),
    expect: [["oo_ab12", "warning"]],
  },
  {
    name: "a key expiring in 2 days",
    rule: "key-expiring",
    snapshot: snap({ keys: [{ prefix: "oo_ab12", clientId: "ci", createdAt: daysAgo(20), lastUsedAt: daysAgo(1), expiresAt: inDays(2) }] }),
    expect: [["oo_ab12", "critical"]],
  },
  {
    name: "a key expiring in 60 days",
    rule: "key-expiring",
    snapshot: snap({ keys: [{ prefix: "oo_ab12", clientId: "ci", createdAt: daysAgo(20), lastUsedAt: daysAgo(1), expiresAt: inDays(60) }] }),
    expect: [],
  },
  { name: "Site Health criticals", rule: "wordpress-site-health", snapshot: snap({ connections: [conn({ siteHealthCritical: ["HTTPS is not used"] })] }), expect: [["wordpress", "warning"]] },
  { name: "Site Health all good", rule: "wordpress-site-health", snapshot: snap({ connections: [conn()] }), expect: [] },
  {
    name: "a scope growing every day",
    rule: "context-scope-growing",
    snapshot: snap({
      contextScopes: [
        {
          scope: "repo:acme/web",
          entries: 400,
          history: [
            { day: "2026-12-03", entries: 100 },
            { day: "2026-12-04", entries: 200 },
            { day: "2026-12-05", entries: 300 },
          ],
        },
      ],
    }),
    expect: [["repo:acme/web", "info"]],
  },
  {
    name: "a scope that grew then shrank",
    rule: "context-scope-growing",
    snapshot: snap({
      contextScopes: [
        {
          scope: "repo:acme/web",
          entries: 400,
          history: [
            { day: "2026-12-03", entries: 100 },
            { day: "2026-12-04", entries: 500 },
            { day: "2026-12-05", entries: 300 },
          ],
        },
      ],
    }),
    expect: [],
  },
  { name: "a huge scope", rule: "context-scope-growing", snapshot: snap({ contextScopes: [{ scope: "agents", entries: 6000, history: [] }] }), expect: [["agents", "warning"]] },
];

describe("rules: snapshots → findings", () => {
  it.each(cases)("$rule: $name", ({ rule, snapshot, expect: wanted }) => {
    const found = RULES[rule]!(snapshot);
    expect(found.map((f) => [f.subject, f.severity])).toEqual(wanted);
    for (const f of found) {
      expect(f.rule).toBe(rule);
      expect(f.key).toBe(`${rule}:${f.subject}`);
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.title.length).toBeGreaterThan(0);
    }
  });

  it("every rule is covered by at least one case that fires and one that stays quiet", () => {
    for (const name of Object.keys(RULES)) {
      expect(
        cases.some((c) => c.rule === name && c.expect.length > 0),
        `${name} fires`,
      ).toBe(true);
      expect(
        cases.some((c) => c.rule === name && c.expect.length === 0),
        `${name} stays quiet`,
      ).toBe(true);
    }
  });

  it("a failing workflow comes with a ready run_workflow proposal for its branch", () => {
    const [f] = RULES["workflow-failing"]!(snap({ workflows: [wf({ failures: 5 })] }));
    expect(f!.proposal).toMatchObject({ action: "run_workflow", target: { repo: "acme/web", ref: "main" }, params: { workflow: "42" } });
  });

  it("runRules orders critical first", () => {
    const all = runRules(snap({ connections: [conn({ state: "down", changes24h: 5 })], keys: [{ prefix: "oo_x", clientId: "c", createdAt: daysAgo(100), lastUsedAt: null, expiresAt: null }] }));
    expect(all.map((f) => f.severity)).toEqual(["critical", "warning", "info"]);
  });
});

describe("fingerprints", () => {
  const fp = (s: Snapshot, rule: keyof typeof RULES) => RULES[rule]!(s).map((f) => f.fingerprint);

  it("are stable across days while the evidence is the same", () => {
    const day1 = snap({ connections: [conn({ state: "down", since: daysAgo(1) })], workflows: [wf({ failures: 4 })] });
    const day2 = snap({ connections: [conn({ state: "down", since: daysAgo(1) })], workflows: [wf({ failures: 4 })] }, new Date(NOW.getTime() + 86_400_000));
    expect(fp(day2, "connection-down")).toEqual(fp(day1, "connection-down"));
    expect(fp(day2, "workflow-failing")).toEqual(fp(day1, "workflow-failing"));
  });

  it("ignore changes inside a band and change across one", () => {
    const at = (failures: number) => fp(snap({ workflows: [wf({ failures })] }), "workflow-failing")[0];
    expect(at(3)).toBe(at(4)); // 30 % and 40 %: the same band
    expect(at(5)).not.toBe(at(4)); // 50 %: worse
    const lat = (p95Ms: number) => fp(snap({ connections: [conn({ latency: { p95Ms, hours: 24, baselineP95Ms: 100, baselineHours: 168 } })] }), "latency-regression")[0];
    expect(lat(160)).toBe(lat(190));
    expect(lat(250)).not.toBe(lat(190));
  });

  it("change with the severity", () => {
    const key = (d: number) => fp(snap({ keys: [{ prefix: "oo_k", clientId: "c", createdAt: daysAgo(30), lastUsedAt: null, expiresAt: inDays(d) }] }), "key-expiring")[0];
    expect(key(10)).not.toBe(key(2));
  });

  it("change when another intent starts waiting", () => {
    const one = { id: "a", action: "deploy", requester: "gpt", createdAt: hoursAgo(30), expiresAt: null };
    const two = { ...one, id: "b" };
    expect(fp(snap({ pendingIntents: [one] }), "intent-waiting")).not.toEqual(fp(snap({ pendingIntents: [one, two] }), "intent-waiting"));
  });
});
