import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { caller, errorOf, makeUser } from "../../../../tests/support/intents";
import type { CallContext } from "@/server/core/audit/log";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import { systemActor } from "@/server/core/auth/actor";
import { handleMap } from "@/server/api/maps";
import { handleRest } from "@/server/api/rest";
import { setDeps, type Deps } from "@/server/deps";
import { Prisma } from "@/generated/prisma/client";
import type { LateJobSignal } from "./snapshot";
import type { SignalSources } from "./signals";
import { suggestionsJobs } from "./jobs";
import { computeSuggestions, dailySuggestions, dismissFinding, readDay } from "./service";

/**
 * Daily suggestions on the real Postgres with a controlled clock: a day is computed once, a finding
 * that persists ages in its row, a fixed one is resolved, a dismissed one stays dismissed until its
 * evidence changes materially. Signals come from rows this test writes (a connection's state) and
 * from the injectable late-jobs source.
 */
let deps: Deps;
const DAY1 = new Date("2030-01-01T08:00:00Z");
const at = (day: number, hour = 8) => new Date(DAY1.getTime() + (day - 1) * 86_400_000 + (hour - 8) * 3_600_000);
const SYSTEM: CallContext = { actor: systemActor("test"), requestId: "suggestions-test", surface: "system" };

let jobs: LateJobSignal[] = [];
const sources: SignalSources = { lateJobs: async () => jobs };
const opts = (now: Date) => ({ now, sources, summarizer: null });

async function setDatabaseState(state: "up" | "down", since: Date) {
  await deps.db.connectionState.upsert({
    where: { id: "database" },
    create: { id: "database", kind: "postgres", state, since, checkedAt: since, error: state === "down" ? "connection refused" : null },
    update: { state, since, checkedAt: since, error: state === "down" ? "connection refused" : null },
  });
}

let firstSeq = 0n;
// the audit log outlives the tables this file resets: count this run's events only
const computeEvents = (day: string) => deps.db.auditEvent.count({ where: { action: "suggestions.compute", target: day, seq: { gt: firstSeq } } });

beforeAll(async () => {
  deps = await testDeps();
  firstSeq = (await deps.db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq ?? 0n;
  // this feature's tables and the one connection row are this file's to own
  await deps.db.suggestionFinding.deleteMany({});
  await deps.db.suggestionBriefing.deleteMany({});
  await deps.db.connectionState.deleteMany({ where: { id: { in: ["database", "store"] } } });
});
afterAll(async () => {
  await deps.db.connectionState.deleteMany({ where: { id: "database" } });
  await closeDeps(deps);
});

describe("daily suggestions across days", () => {
  let dismissedId = "";

  it("day 1: the first GET computes; critical findings appear for the notifications", async () => {
    await setDatabaseState("down", at(1, 6));
    jobs = [
      { name: "backup", lastSuccessAt: null, intervalSeconds: 86_400 },
      { name: "digest", lastSuccessAt: null, intervalSeconds: 3_600 },
    ];
    const day = await computeSuggestions(deps, SYSTEM, { ...opts(at(1)), mode: "daily" });
    expect(day.computed).toBe(true);
    expect(day.briefing).toMatchObject({ day: "2030-01-01", computations: 1, source: "rules" });
    const keys = day.findings.map((f) => f.key);
    expect(keys).toEqual(expect.arrayContaining(["connection-down:database", "job-late:backup", "job-late:digest"]));
    expect(day.newCritical.map((f) => f.key)).toEqual(expect.arrayContaining(["connection-down:database", "job-late:backup"]));
    // the label names the embedded database when the suite runs without TEST_DATABASE_URL
    expect(day.briefing.text).toMatch(/Postgres( \(embedded\))? is down/);
    const down = day.findings.find((f) => f.key === "connection-down:database")!;
    expect(down.evidence.some((e) => e.href?.startsWith("/maps"))).toBe(true);
    expect(await computeEvents("2030-01-01")).toBe(1);
  });

  it("a second GET the same day computes nothing", async () => {
    jobs = [...jobs, { name: "extra", lastSuccessAt: null, intervalSeconds: 60 }];
    const again = await dailySuggestions(deps, SYSTEM, opts(at(1, 20)));
    expect(again.computed).toBe(false);
    expect(again.briefing.computations).toBe(1);
    expect(again.findings.map((f) => f.key)).not.toContain("job-late:extra");
    expect(await computeEvents("2030-01-01")).toBe(1);
    jobs = jobs.filter((j) => j.name !== "extra");
  });

  it("a dismissal is kept with who and why, audited in its transaction", async () => {
    const day = (await readDay(deps, at(1)))!;
    const digest = day.findings.find((f) => f.key === "job-late:digest")!;
    const operator = await makeUser(deps, "operator");
    const dismissed = await caller(deps, operator).suggestions.dismiss({ id: digest.id, reason: "digest is being retired" });
    dismissedId = digest.id;
    expect(dismissed).toMatchObject({ status: "dismissed", statusBy: operator.email, statusReason: "digest is being retired" });
    const audit = await deps.db.auditEvent.findFirst({ where: { action: "suggestions.dismiss", target: digest.id } });
    expect(audit?.actorId).toBe(operator.id);
    const counts = (await readDay(deps, at(1)))!.counts;
    expect(counts.critical).toBe(day.counts.critical - 1);
  });

  it("day 2: a persisting finding ages in its row, a fixed one is resolved, the dismissed one stays dismissed", async () => {
    const before = (await readDay(deps, at(1)))!;
    const backupBefore = before.findings.find((f) => f.key === "job-late:backup")!;
    const downBefore = before.findings.find((f) => f.key === "connection-down:database")!;
    await setDatabaseState("up", at(1, 22));
    const day2 = await dailySuggestions(deps, SYSTEM, opts(at(2)));
    expect(day2.computed).toBe(true);
    expect(day2.briefing.day).toBe("2030-01-02");
    const backup = day2.findings.find((f) => f.key === "job-late:backup")!;
    expect(backup).toMatchObject({ id: backupBefore.id, fingerprint: backupBefore.fingerprint, firstSeenAt: at(1).toISOString(), lastSeenAt: at(2).toISOString(), ageDays: 1 });
    expect(day2.findings.map((f) => f.key)).not.toContain("connection-down:database");
    expect((await deps.db.suggestionFinding.findUnique({ where: { id: downBefore.id } }))?.resolvedAt).toEqual(at(2));
    expect(day2.resolved).toContain("connection-down:database");
    expect(day2.findings.find((f) => f.id === dismissedId)).toMatchObject({ status: "dismissed", statusReason: "digest is being retired" });
    expect(day2.newCritical.map((f) => f.key)).toEqual([]);
  });

  it("day 3: the dismissed finding reopens once its evidence changes materially; the outage coming back is a new row", async () => {
    jobs = [
      { name: "backup", lastSuccessAt: null, intervalSeconds: 86_400 },
      { name: "digest", lastSuccessAt: at(2, 20).toISOString(), intervalSeconds: 3_600 },
    ];
    await setDatabaseState("down", at(3, 7));
    const day3 = await dailySuggestions(deps, SYSTEM, opts(at(3)));
    const digest = day3.findings.find((f) => f.id === dismissedId)!;
    expect(digest.status).toBe("open");
    expect(day3.reopened.map((f) => f.id)).toEqual([dismissedId]);
    const down = day3.findings.find((f) => f.key === "connection-down:database")!;
    expect(down.firstSeenAt).toBe(at(3).toISOString());
    expect(await deps.db.suggestionFinding.count({ where: { key: "connection-down:database" } })).toBe(2);
    expect(day3.newCritical.map((f) => f.key)).toContain("connection-down:database");
  });

  it("a refresh recomputes the same day without duplicating findings", async () => {
    const refreshed = await computeSuggestions(deps, SYSTEM, { ...opts(at(3, 12)), mode: "refresh" });
    expect(refreshed.computed).toBe(true);
    expect(refreshed.briefing.computations).toBe(2);
    expect(refreshed.appeared).toEqual([]);
    expect(await deps.db.suggestionFinding.count({ where: { key: "job-late:backup", resolvedAt: null } })).toBe(1);
  });
});

describe("who may act on a finding", () => {
  it("viewers and API keys cannot dismiss; a resolved finding cannot be dismissed", async () => {
    const day = (await readDay(deps, at(3)))!;
    const open = day.findings.find((f) => f.status === "open")!;
    const viewer = await makeUser(deps, "viewer");
    expect((await errorOf(caller(deps, viewer).suggestions.dismiss({ id: open.id, reason: "no" }))).code).toBe("FORBIDDEN");
    const { key } = await makeKey(deps, ["suggestions:read", "intents:propose"]);
    const agent = await authenticateApiKey(deps.db, key, null);
    expect((await errorOf(caller(deps, agent).suggestions.dismiss({ id: open.id, reason: "no" }))).code).toBe("FORBIDDEN");
    const resolved = await deps.db.suggestionFinding.findFirst({ where: { resolvedAt: { not: null } } });
    expect((await errorOf(dismissFinding(deps, SYSTEM, { id: resolved!.id, reason: "x" }))).code).toBe("CONFLICT");
  });

  it("propose as intent goes through the intents' own path and links the intent", async () => {
    const operator = await makeUser(deps, "operator");
    const row = await deps.db.suggestionFinding.create({
      data: {
        key: `workflow-failing:acme/web/CI-${randomUUID().slice(0, 6)}`,
        rule: "workflow-failing",
        subject: "acme/web/CI",
        fingerprint: "f",
        severity: "warning",
        title: "CI fails 40% of its runs",
        summary: "s",
        evidence: [],
        proposal: { action: "run_workflow", target: { repo: "acme/web", ref: "main" }, params: { workflow: "42" }, reason: "Re-run CI on main" },
        firstSeenAt: at(3),
        lastSeenAt: at(3),
      },
    });
    const { finding, intent } = await caller(deps, operator).suggestions.propose({ id: row.id });
    expect(intent).toMatchObject({ action: "run_workflow", target: { repo: "acme/web", ref: "main" }, requester: { type: "user", id: operator.id } });
    expect(finding.intentId).toBe(intent.id);
    expect(await deps.db.auditEvent.count({ where: { action: "intents.propose", target: intent.id } })).toBe(1);
    expect(await deps.db.auditEvent.count({ where: { action: "suggestions.propose", target: row.id } })).toBe(1);
    await deps.db.suggestionFinding.update({ where: { id: row.id }, data: { resolvedAt: at(3) } });
  });
});

describe("/maps/suggestions.json", () => {
  it("serves the stored day to a key with suggestions:read, and refuses one without it", async () => {
    setDeps(deps);
    const today = await dailySuggestions(deps, SYSTEM, { sources, summarizer: null });
    const get = (key: string) => handleMap(new Request("http://localhost/maps/suggestions.json", { headers: { "x-api-key": key } }), "suggestions.json");
    const reader = await makeKey(deps, ["suggestions:read"]);
    const res = await get(reader.key);
    expect(res.status).toBe(200);
    const map = (await res.json()) as { day: string | null; findings: { key: string }[] };
    expect(map.day).toBe(today.briefing.day);
    expect(map.findings.map((f) => f.key)).toEqual(today.findings.map((f) => f.key));
    expect(map.findings.map((f) => f.key)).toContain("job-late:backup");
    const other = await makeKey(deps, ["metrics:read"]);
    expect((await get(other.key)).status).toBe(403);
    expect((await handleMap(new Request("http://localhost/maps/constructor", { headers: { "x-api-key": reader.key } }), "constructor")).status).toBe(404);
  });
});

describe("REST /ai/suggestions/*", () => {
  const call = (method: string, path: string, key: string | null, body?: unknown) =>
    handleRest(
      new Request(`http://localhost/ai${path}`, {
        method,
        headers: { ...(key ? { "x-api-key": key } : {}), ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      }),
    );

  it("answers 200, 400, 401, 403 and 404 as the contract says", async () => {
    setDeps(deps);
    const reader = await makeKey(deps, ["suggestions:read"]);
    const proposer = await makeKey(deps, ["suggestions:read", "intents:propose"]);
    const daily = await call("GET", "/suggestions/daily?status=open", reader.key);
    expect(daily.status).toBe(200);
    const body = (await daily.json()) as { findings: { status: string }[]; briefing: { day: string } };
    expect(body.findings.every((f) => f.status === "open")).toBe(true);
    expect((await call("GET", "/suggestions/daily?status=closed", reader.key)).status).toBe(400);
    expect((await call("GET", "/suggestions/daily", null)).status).toBe(401);
    expect((await call("GET", "/suggestions/daily", (await makeKey(deps, ["metrics:read"])).key)).status).toBe(403);
    expect((await call("POST", "/suggestions/refresh", reader.key, {})).status).toBe(200);
    expect((await call("POST", `/suggestions/${randomUUID()}/propose`, reader.key, {})).status).toBe(403);
    expect((await call("POST", `/suggestions/${randomUUID()}/propose`, proposer.key, {})).status).toBe(404);
    const withoutProposal = await deps.db.suggestionFinding.findFirst({ where: { resolvedAt: null, proposal: { equals: Prisma.DbNull } } });
    expect((await call("POST", `/suggestions/${withoutProposal!.id}/propose`, proposer.key, {})).status).toBe(400);
  });
});

describe("the suggestions-daily job", () => {
  it("computes the day once: a second run finds it computed", async () => {
    const [job] = suggestionsJobs;
    expect(job!.name).toBe("suggestions-daily");
    const lines: string[] = [];
    const ctx = { deps, runId: randomUUID(), trigger: "manual" as const, signal: new AbortController().signal, log: (m: string) => void lines.push(m), data: {} };
    await deps.db.suggestionBriefing.deleteMany({ where: { day: new Date().toISOString().slice(0, 10) } });
    const first = await job!.run(ctx);
    const second = await job!.run({ ...ctx, runId: randomUUID() });
    expect(first).toMatchObject({ computed: true, day: new Date().toISOString().slice(0, 10) });
    expect(second).toMatchObject({ computed: false });
    expect(lines[1]).toMatch(/already computed/);
  });
});
