import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { startGitHubFake, type GitHubFake } from "../../../../tests/fakes/github";
import { callAs, caller, makeAgent, makeUser, prodDeploy, waitForStatus } from "../../../../tests/support/intents";
import type { Deps } from "@/server/deps";
import { executionOf, startExecution, sweepIntents } from "./execution";
import { runAttempt } from "@/server/jobs/execute";
import { intentsJobs } from "./jobs";
import { proposeIntent } from "./service";

/** Approval → execution through the configured executor (EXECUTORS=live, GITHUB_TOKEN + GITHUB_API_URL pointing at the fake). */
let deps: Deps;
let gh: GitHubFake;
beforeAll(async () => {
  gh = await startGitHubFake("ghp_int");
  deps = await testDeps({ GITHUB_TOKEN: "ghp_int", GITHUB_API_URL: gh.url, EXECUTORS: "live" });
});
afterAll(async () => {
  await closeDeps(deps);
  await gh.close();
});

async function approved() {
  const agent = await makeAgent(deps);
  const approver = await makeUser(deps, "approver");
  const intent = await proposeIntent(deps, callAs(agent.actor), prodDeploy({ params: { workflow: "ship.yml" } }));
  await caller(deps, approver).intents.approve({ id: intent.id, comment: "go", payloadHash: intent.payloadHash });
  return { agent, intent };
}

describe("execution", () => {
  it("sends the workflow_dispatch to GitHub once and records the request on the intent", async () => {
    const { agent, intent } = await approved();
    await waitForStatus(deps, intent.id, ["succeeded", "failed"]);
    const polled = await caller(deps, agent.actor).intents.get({ id: intent.id });
    expect(polled).toMatchObject({ status: "succeeded", result: { ok: true, dryRun: false, executor: "github" } });
    const sent = gh.requests.filter((r) => r.path === "/repos/acme/web/actions/workflows/ship.yml/dispatches");
    expect(sent).toHaveLength(1);
    expect(polled.result!.requests).toEqual([{ method: "POST", url: `${gh.url}/repos/acme/web/actions/workflows/ship.yml/dispatches`, body: sent[0]!.body }]);
    // a second attempt to start it finds it no longer approved: nothing is sent again
    expect(await startExecution(deps, callAs(agent.actor), intent.id)).toBe(false);
    expect(gh.requests.filter((r) => r.path.endsWith("ship.yml/dispatches"))).toHaveLength(1);
  });

  it("a refusal by GitHub fails the intent with the error", async () => {
    gh.pulls.clear();
    const agent = await makeAgent(deps);
    const approver = await makeUser(deps, "approver");
    const intent = await proposeIntent(deps, callAs(agent.actor), { action: "merge_pr", target: { repo: "acme/web", ref: "main" }, params: { pullNumber: 404 }, reason: "merge it" });
    await caller(deps, approver).intents.approve({ id: intent.id, comment: "ok", payloadHash: intent.payloadHash });
    await executionOf(intent.id);
    expect(await waitForStatus(deps, intent.id, ["succeeded", "failed"])).toBe("failed");
    const row = await deps.db.intent.findUniqueOrThrow({ where: { id: intent.id } });
    expect(row.result).toMatchObject({ ok: false, error: expect.stringMatching(/Not Found/) });
    const last = await deps.db.auditEvent.findFirst({ where: { target: intent.id }, orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "intents.failed", outcome: "failure" });
  });

  it("the sweep fails an execution abandoned by a dead process (never re-runs it)", async () => {
    const { intent } = await approved();
    await waitForStatus(deps, intent.id, ["succeeded"]);
    const agent = await makeAgent(deps);
    const approver = await makeUser(deps, "admin");
    const stuck = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    // simulate a process that died after approved → executing: move it there by hand, long ago
    await deps.db.approval.create({ data: { intentId: stuck.id, userId: approver.id, decision: "approve", comment: "x", payloadHash: stuck.payloadHash } });
    await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "status" = 'approved', "version" = "version" + 1 WHERE "id" = $1::uuid`, stuck.id);
    await deps.db.$executeRawUnsafe(`UPDATE "intent" SET "status" = 'executing', "version" = "version" + 1, "updated_at" = now() - interval '2 hours' WHERE "id" = $1::uuid`, stuck.id);
    // the sweep as the jobs layer runs it every minute
    const sweep = await runAttempt(deps, intentsJobs[0]!, { queueJobId: randomUUID(), attempt: 1, trigger: "schedule" });
    expect(sweep.ran && Number(sweep.result?.abandoned)).toBeGreaterThanOrEqual(1);
    const row = await deps.db.intent.findUniqueOrThrow({ where: { id: stuck.id } });
    expect(row.status).toBe("failed");
    expect(row.result).toMatchObject({ ok: false, error: "abandoned", summary: expect.stringMatching(/past its \d+ s timeout.*Not run again/) });
    expect(await sweepIntents(deps, callAs(agent.actor))).toMatchObject({ abandoned: 0 });
    expect(await deps.db.auditEvent.count({ where: { target: stuck.id, action: "intents.execute" } })).toBe(0);
  });
});
