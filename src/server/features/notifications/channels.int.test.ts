import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifyDeps, startReceiver, startSmtp, type Receiver } from "../../../../tests/support/notify";
import { caller, callAs, makeAgent, makeUser, prodDeploy, waitForStatus } from "../../../../tests/support/intents";
import type { Deps } from "@/server/deps";
import { proposeIntent } from "@/server/features/intents/service";
import { drainOutbox } from "./drain";

/** The three channels against real peers: an SMTP server (smtp-server) and an HTTP receiver for Slack and the webhook. */
let deps: Deps;
let drop: () => Promise<void>;
let http: Receiver;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const SECRET = "whsec-test-1234";

beforeAll(async () => {
  http = await startReceiver();
  smtp = await startSmtp();
  ({ deps, drop } = await notifyDeps({
    SLACK_WEBHOOK_URL: `${http.url}/slack/T000/B000/XXXXsecretpath`,
    SMTP_URL: `smtp://bot:smtp-pass-9876@127.0.0.1:${smtp.port}`,
    NOTIFY_EMAIL_FROM: "ops@orchestrator.test",
    NOTIFY_WEBHOOK_URL: `${http.url}/hook`,
    NOTIFY_WEBHOOK_SECRET: SECRET,
  }));
});
afterAll(async () => {
  await drop();
  await http.close();
  await smtp.close();
});

const decodeQp = (s: string) => s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

describe("an intent waiting for approval", () => {
  it("reaches the team's Slack once, every eligible approver by email (never the requesting client's owner) and the signed webhook", async () => {
    const owner = await makeUser(deps, "approver");
    const approver = await makeUser(deps, "approver");
    const admin = await makeUser(deps, "admin");
    const operator = await makeUser(deps, "operator");
    const agent = await makeAgent(deps, { owner: owner.id });
    const intent = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    expect(intent.status).toBe("pending_approval");

    const summary = await drainOutbox(deps, { budgetMs: 10_000 });
    expect(summary.channels).toMatchObject({ slack: { sent: 1, dead: 0 }, email: { sent: 2, dead: 0 }, webhook: { sent: 1, dead: 0 } });

    const slack = http.received.filter((r) => r.path.startsWith("/slack/"));
    expect(slack).toHaveLength(1);
    const message = JSON.parse(slack[0]!.body) as { text: string; blocks: { type: string; text?: { text: string }; elements?: { type: string; url?: string }[] }[] };
    expect(message.blocks[0]).toMatchObject({ type: "header", text: { text: expect.stringContaining("Approval needed: deploy acme/web@release-1 to production") } });
    const actions = message.blocks.find((b) => b.type === "actions");
    expect(actions?.elements).toEqual([expect.objectContaining({ type: "button", url: `http://dash.test/approvals/${intent.id}` })]);
    expect(message.text).toContain(`http://dash.test/approvals/${intent.id}`);
    const eventId = (JSON.parse(http.received.find((r) => r.path === "/hook")!.body) as { id: string }).id;
    expect(slack[0]!.headers["idempotency-key"]).toBe(`${eventId}.slack`);

    const recipients = smtp.mails.flatMap((m) => m.to).sort();
    expect(recipients).toEqual([admin.email, approver.email].sort());
    expect(recipients).not.toContain(owner.email);
    expect(recipients).not.toContain(operator.email);
    for (const mail of smtp.mails) {
      expect(mail.from).toBe("ops@orchestrator.test");
      expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);
      expect(mail.raw).toMatch(/Content-Type: text\/plain/i);
      expect(mail.raw).toMatch(/Content-Type: text\/html/i);
      expect(mail.raw.replace(/\r\n[ \t]+/g, " ")).toMatch(/^Message-ID: <[0-9a-f-]{36}\.email\.[0-9a-f]{16}@orchestrator\.test>/im);
      const body = decodeQp(mail.raw);
      expect(body).toContain(`Review and decide: http://dash.test/approvals/${intent.id}`);
      expect(body).toContain(`<a href="http://dash.test/approvals/${intent.id}"`);
      expect(body).not.toMatch(/<img/i);
    }

    const hook = http.received.find((r) => r.path === "/hook")!;
    const expected = `sha256=${createHmac("sha256", SECRET).update(hook.body).digest("hex")}`;
    expect(hook.headers["x-orchestrator-signature-256"]).toBe(expected);
    expect(JSON.parse(hook.body)).toMatchObject({
      type: "intent.approval_requested",
      severity: "warning",
      link: `http://dash.test/approvals/${intent.id}`,
      data: { intentId: intent.id, approverRoles: ["approver", "admin"] },
    });
    expect(hook.headers["x-orchestrator-event"]).toBe("intent.approval_requested");

    // a second drain finds nothing new to send
    const again = await drainOutbox(deps, { budgetMs: 5_000 });
    expect(again.routedEvents).toBe(0);
    expect(http.received.filter((r) => r.path.startsWith("/slack/"))).toHaveLength(1);
  });

  it("once approved, the dry-run execution is told to Slack as executed (dry-run)", async () => {
    const agent = await makeAgent(deps);
    const approver = await makeUser(deps, "approver");
    const intent = await proposeIntent(deps, callAs(agent.actor), prodDeploy());
    await caller(deps, approver).intents.approve({ id: intent.id, comment: "ship it", payloadHash: intent.payloadHash });
    expect(await waitForStatus(deps, intent.id, ["succeeded", "failed"])).toBe("succeeded");
    await drainOutbox(deps, { budgetMs: 10_000 });
    const titles = http.received.filter((r) => r.path.startsWith("/slack/")).map((r) => (JSON.parse(r.body) as { blocks: { text?: { text: string } }[] }).blocks[0]!.text!.text);
    expect(titles).toContain("Intent executed (dry-run): deploy acme/web@release-1 to production");
    const event = await deps.db.notificationOutbox.findFirstOrThrow({ where: { type: "intent.executed", payload: { path: ["intentId"], equals: intent.id } } });
    expect(event.payload).toMatchObject({ dryRun: true, summary: "deploy acme/web@release-1 to production" });
  });

  it("a refused delivery's error is stored without the channel's secrets", async () => {
    http.respond = (r) => ({ status: r.path.startsWith("/slack/") ? 404 : 200 });
    try {
      const agent = await makeAgent(deps);
      await proposeIntent(deps, callAs(agent.actor), prodDeploy());
      const summary = await drainOutbox(deps, { budgetMs: 10_000 });
      expect(summary.channels.slack).toMatchObject({ sent: 0, dead: 1 });
      const dead = await deps.db.notificationDelivery.findFirstOrThrow({ where: { status: "dead", channel: "slack" } });
      expect(dead.lastStatus).toBe(404);
      expect(dead.lastError).toContain("answered 404");
      expect(dead.lastError).not.toContain("XXXXsecretpath");
    } finally {
      http.respond = () => ({ status: 200 });
    }
  });
});
