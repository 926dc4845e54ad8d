import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { notifyDeps, startReceiver, type Receiver } from "../../../../tests/support/notify";
import { caller, errorOf, makeUser } from "../../../../tests/support/intents";
import { makeKey } from "../../../../tests/support/deps";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import type { Deps } from "@/server/deps";
import { drainOutbox } from "./drain";
import { enqueueNotification } from "./outbox";

/** The Notifications page's procedures: routes validated and audited, test sends, dead letters and retry; admins only. */
let deps: Deps;
let drop: () => Promise<void>;
let http: Receiver;
const SLACK_PATH = "/services/T1/B2/very-secret-token";

beforeAll(async () => {
  http = await startReceiver();
  ({ deps, drop } = await notifyDeps({ SLACK_WEBHOOK_URL: `${http.url}${SLACK_PATH}`, NOTIFY_WEBHOOK_URL: `${http.url}/hook`, NOTIFY_WEBHOOK_SECRET: "hook-secret-123" }));
});
afterAll(async () => {
  await drop();
  await http.close();
});
beforeEach(() => {
  http.respond = () => ({ status: 200 });
});

describe("notifications admin", () => {
  it("shows the channels without their secrets and the default routes", async () => {
    const admin = await makeUser(deps, "admin");
    const view = await caller(deps, admin).notifications.overview({});
    expect(view.channels).toEqual([
      { name: "slack", configured: true, target: new URL(http.url).host },
      { name: "email", configured: false, target: null },
      { name: "webhook", configured: true, target: new URL(http.url).host },
    ]);
    expect(JSON.stringify(view)).not.toContain("very-secret-token");
    expect(view.routes.filter((r) => r.eventType === "intent.approval_requested").map((r) => [r.channel, r.recipients])).toEqual([
      ["email", ["approvers"]],
      ["slack", []],
    ]);
  });

  it("refuses an invalid routing table with 400 and changes nothing; a valid one is saved and audited", async () => {
    const admin = await makeUser(deps, "admin");
    const api = caller(deps, admin).notifications;
    const before = await api.overview({});
    const bad = await errorOf(api.replaceRoutes({ routes: [{ eventType: "connection.down", channel: "email", recipients: ["approvers"], quietStart: "25:00", quietEnd: null }] }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/approvers/);
    expect(bad.message).toMatch(/HH:MM/);
    expect((await api.overview({})).routes).toEqual(before.routes);

    const saved = await api.replaceRoutes({
      routes: [
        { eventType: "connection.down", channel: "slack", minSeverity: "critical", quietStart: "22:00", quietEnd: "07:00" },
        { eventType: "*", channel: "webhook" },
      ],
    });
    expect(saved.routes.map((r) => [r.eventType, r.channel, r.minSeverity, r.quietStart, r.updatedBy])).toEqual([
      ["*", "webhook", "info", null, `user:${admin.id}`],
      ["connection.down", "slack", "critical", "22:00", `user:${admin.id}`],
    ]);
    const audit = await deps.db.auditEvent.findFirstOrThrow({ where: { action: "notifications.routes.replace" }, orderBy: { seq: "desc" } });
    expect(audit).toMatchObject({ actorId: admin.id, resourceType: "notification", outcome: "success" });
    expect((audit.detail as { after: string[] }).after).toEqual(["connection.down → slack ≥critical quiet 22:00–07:00", "* → webhook ≥info"]);
  });

  it("is for signed-in admins only", async () => {
    const operator = await makeUser(deps, "operator");
    expect((await errorOf(caller(deps, operator).notifications.overview({}))).code).toBe("FORBIDDEN");
    const key = await makeKey(deps, ["admin"]);
    const actor = await authenticateApiKey(deps.db, key.key, null);
    expect((await errorOf(caller(deps, actor).notifications.replaceRoutes({ routes: [] }))).code).toBe("FORBIDDEN");
  });

  it("sends a test per channel and audits it without the channel's secret", async () => {
    const admin = await makeUser(deps, "admin");
    const api = caller(deps, admin).notifications;
    expect(await api.sendTest({ channel: "slack" })).toMatchObject({ ok: true, error: null });
    expect(http.received.at(-1)!.path).toBe(SLACK_PATH);
    http.respond = () => ({ status: 500 });
    const failed = await api.sendTest({ channel: "webhook" });
    expect(failed).toMatchObject({ ok: false, error: expect.stringContaining("answered 500") });
    expect((await errorOf(api.sendTest({ channel: "email" }))).code).toBe("BAD_REQUEST");
    const audits = await deps.db.auditEvent.findMany({ where: { action: "notifications.test" }, orderBy: { seq: "asc" } });
    expect(audits.map((a) => [a.target, a.outcome])).toEqual([
      ["slack", "success"],
      ["webhook", "failure"],
    ]);
    const written = JSON.stringify(audits.map((a) => [a.detail, a.input]));
    expect(written).toContain(new URL(http.url).host);
    expect(written).not.toContain("very-secret-token");
    expect(written).not.toContain("hook-secret-123");
  });

  it("lists dead letters and puts one back in the queue on retry", async () => {
    const admin = await makeUser(deps, "admin");
    const api = caller(deps, admin).notifications;
    http.respond = (r) => ({ status: r.path === "/hook" ? 410 : 200 });
    const eventId = await enqueueNotification(deps.db, { type: "job.late", data: { job: "index-repos", expectedAt: new Date().toISOString(), lateBySeconds: 600, lastRunAt: null } });
    await drainOutbox(deps, { budgetMs: 5_000 });
    const { items } = await api.deadLetters({});
    const dead = items.find((i) => i.eventId === eventId)!;
    expect(dead).toMatchObject({ channel: "webhook", eventType: "job.late", attempts: 1, lastStatus: 410 });
    http.respond = () => ({ status: 200 });
    expect(await api.retry({ id: dead.id })).toEqual({ id: dead.id, status: "pending" });
    expect((await errorOf(api.retry({ id: dead.id }))).code).toBe("NOT_FOUND");
    await drainOutbox(deps, { budgetMs: 5_000 });
    expect(await deps.db.notificationDelivery.findUniqueOrThrow({ where: { id: BigInt(dead.id) } })).toMatchObject({ status: "sent", attempts: 1 });
    expect(await deps.db.auditEvent.count({ where: { action: "notifications.retry", target: `delivery:${dead.id}` } })).toBe(1);
  });
});
