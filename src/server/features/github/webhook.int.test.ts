import { createHmac, randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { handleGitHubWebhook } from "@/server/api/github-webhook";
import { setDeps, type Deps } from "@/server/deps";
import { verifySignature, WEBHOOK_MAX_BYTES } from "./webhook";

/**
 * POST /api/github/webhook with real payloads from @octokit/webhooks-examples, signed like GitHub
 * signs them, against the real Postgres: signature refusals store nothing, redeliveries change
 * nothing, every accepted event is one audit entry, and only a push to a registered repository's
 * default branch queues a reindex.
 */
const secret = "webhook-secret-" + randomUUID();
const REPO = "Codertocat/Hello-World";
let deps: Deps;

type Payload = Record<string, unknown>;
function example(name: string, match: (p: Payload) => boolean = () => true): Payload {
  const def = (examples as unknown as { name: string; examples: Payload[] }[]).find((d) => d.name === name)!;
  return structuredClone(def.examples.find(match)!);
}

const sign = (body: string, key = secret) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;

async function deliver(event: string, payload: Payload | string, opts: { id?: string; signature?: string | null; contentType?: string } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = opts.id ?? randomUUID();
  const headers: Record<string, string> = { "content-type": opts.contentType ?? "application/json", "x-github-event": event, "x-github-delivery": id };
  const signature = opts.signature === undefined ? sign(body) : opts.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const res = await handleGitHubWebhook(new Request("http://test.local/api/github/webhook", { method: "POST", headers, body }));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
  return { id, status: res.status, body: (await res.json()) as Record<string, any> };
}

const stored = async (id: string) => ({
  deliveries: await deps.db.webhookDelivery.count({ where: { id } }),
  audits: await deps.db.auditEvent.findMany({ where: { detail: { path: ["deliveryId"], equals: id } } }),
});
const queuedRuns = () => deps.db.indexRun.findMany({ where: { repoId: REPO, status: "queued" } });
const pushTo = (ref: string): Payload => ({ ...example("push", (p) => p.ref === "refs/heads/master" && p.deleted === false), ref });

describe("GitHub webhook", () => {
  beforeAll(async () => {
    deps = await testDeps({ GITHUB_WEBHOOK_SECRET: secret });
    setDeps(deps);
  });
  beforeEach(async () => {
    await deps.db.repo.deleteMany({ where: { id: REPO } });
    await deps.db.repo.create({ data: { id: REPO, source: "github", defaultBranch: "master", htmlUrl: `https://github.com/${REPO}`, indexState: "ready" } });
  });
  afterAll(async () => {
    await deps.db.repo.deleteMany({ where: { id: REPO } });
    await deps.events.close();
    await closeDeps(deps);
  });

  it("GitHub's published test vector verifies; a changed body or secret does not", async () => {
    const vector = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(await verifySignature("It's a Secret to Everybody", "Hello, World!", vector)).toBe(true);
    expect(await verifySignature("It's a Secret to Everybody", "Hello, World?", vector)).toBe(false);
    expect(await verifySignature("another secret", "Hello, World!", vector)).toBe(false);
    expect(await verifySignature("It's a Secret to Everybody", "Hello, World!", null)).toBe(false);
    expect(await verifySignature("It's a Secret to Everybody", "Hello, World!", "sha1=0a0a")).toBe(false);
  });

  it("401 on a missing or wrong signature, with nothing stored and no reindex queued", async () => {
    const payload = pushTo("refs/heads/master");
    const missing = await deliver("push", payload, { signature: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/missing/) });
    const wrong = await deliver("push", payload, { signature: sign(JSON.stringify(payload), "not-the-secret") });
    expect(wrong.status).toBe(401);
    const tampered = await deliver("push", payload, { signature: sign(JSON.stringify({ ...payload, after: "0".repeat(40) })) });
    expect(tampered.status).toBe(401);
    for (const r of [missing, wrong, tampered]) expect(await stored(r.id)).toEqual({ deliveries: 0, audits: [] });
    expect(await queuedRuns()).toEqual([]);
  });

  it("503 when no GITHUB_WEBHOOK_SECRET is configured (nothing can be verified)", async () => {
    setDeps({ ...deps, env: { ...deps.env, GITHUB_WEBHOOK_SECRET: undefined } });
    try {
      const r = await deliver("ping", example("ping"));
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe("UNAVAILABLE");
      // a 503 says what to do, unlike an internal error
      expect(r.body.error.message).toContain("set GITHUB_WEBHOOK_SECRET");
      expect(await stored(r.id)).toEqual({ deliveries: 0, audits: [] });
    } finally {
      setDeps(deps);
    }
  });

  it("413 over the 25 MB cap, before the signature is even checked", async () => {
    const big = JSON.stringify({ zen: "x".repeat(WEBHOOK_MAX_BYTES) });
    const r = await deliver("ping", big);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await stored(r.id)).toEqual({ deliveries: 0, audits: [] });
  });

  it("a signed non-JSON body passes the signature check and gets 400; a form-encoded one 415", async () => {
    const r = await deliver("ping", "Hello, World!");
    expect(r.status).toBe(400);
    const form = await deliver("ping", "payload=%7B%7D", { contentType: "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
  });

  it("a push to the default branch is audited and queues one incremental reindex; the redelivery changes nothing", async () => {
    const payload = pushTo("refs/heads/master");
    const r = await deliver("push", payload);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ duplicate: false, action: "github.push", reindex: "queued" });
    const runs = await queuedRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: r.body.runId, trigger: "webhook", status: "queued", full: false, toSha: payload.after });
    expect((await deps.db.repo.findUnique({ where: { id: REPO } }))!.indexState).toBe("queued");

    const { deliveries, audits } = await stored(r.id);
    expect(deliveries).toBe(1);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorType: "github",
      actorId: "Codertocat",
      action: "github.push",
      resourceType: "github",
      target: `${REPO}@refs/heads/master`,
      surface: "webhook",
      outcome: "success",
    });
    expect(audits[0]!.detail).toMatchObject({ event: "push", reindex: "queued", indexRunId: r.body.runId, after: payload.after });

    const again = await deliver("push", payload, { id: r.id });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, reindex: null });
    expect(await queuedRuns()).toHaveLength(1);
    expect((await stored(r.id)).audits).toHaveLength(1);
  });

  it("a second push while a run is queued joins it; a running index keeps its state", async () => {
    await deps.db.repo.update({ where: { id: REPO }, data: { indexState: "indexing" } });
    const first = await deliver("push", pushTo("refs/heads/master"));
    const second = await deliver("push", pushTo("refs/heads/master"));
    expect(first.body.reindex).toBe("queued");
    expect(second.body).toMatchObject({ reindex: "already_queued", runId: first.body.runId });
    expect(await queuedRuns()).toHaveLength(1);
    expect((await deps.db.repo.findUnique({ where: { id: REPO } }))!.indexState).toBe("indexing");
  });

  it("a push to another branch, a tag, or an unregistered repository is audited and queues nothing", async () => {
    const feature = await deliver("push", pushTo("refs/heads/feature/x"));
    expect(feature).toMatchObject({ status: 202, body: { reindex: "not_default_branch", runId: null } });
    const tag = await deliver(
      "push",
      example("push", (p) => p.ref === "refs/tags/simple-tag" && p.deleted === false),
    );
    expect(tag.body.reindex).toBe("not_default_branch");
    const other = pushTo("refs/heads/master");
    other.repository = { ...(other.repository as Payload), full_name: "someone/else" };
    const unregistered = await deliver("push", other);
    expect(unregistered.body.reindex).toBe("unregistered");
    expect(await queuedRuns()).toEqual([]);
    for (const r of [feature, tag, unregistered]) expect((await stored(r.id)).audits).toHaveLength(1);
    expect((await deps.db.repo.findUnique({ where: { id: REPO } }))!.indexState).toBe("ready");
  });

  it("pull requests, workflow runs, issues and pings become audit entries named github.<event>.<action> with their target", async () => {
    const cases: [string, Payload, string, string][] = [
      ["pull_request", example("pull_request", (p) => p.action === "opened"), "github.pull_request.opened", `${REPO}#2`],
      ["workflow_run", example("workflow_run", (p) => p.action === "completed"), "github.workflow_run.completed", ""],
      ["issues", example("issues", (p) => p.action === "edited"), "github.issues.edited", `${REPO}#1`],
      ["ping", example("ping"), "github.ping", ""],
    ];
    for (const [event, payload, action, target] of cases) {
      const r = await deliver(event, payload);
      expect(r.status).toBe(202);
      const { audits } = await stored(r.id);
      expect(audits).toHaveLength(1);
      expect(audits[0]!.action).toBe(action);
      if (target) expect(audits[0]!.target).toBe(target);
      if (event === "workflow_run") expect(audits[0]!.target).toMatch(/\/runs\/\d+$/);
    }
    expect(await queuedRuns()).toEqual([]);
  });
});
