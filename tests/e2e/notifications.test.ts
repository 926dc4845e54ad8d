import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { createDeps, type Deps } from "@/server/deps";
import { notificationsJobs } from "@/server/features/notifications/jobs";
import { scratchPostgres } from "../support/scratch-db";
import { startReceiver, type Receiver } from "../support/notify";
import { launchChromium, newContext, signIn } from "./support/browser";
import { freePort, startApp, type AppServer } from "./support/server";

/**
 * Approvers are told: an agent key proposes a production deploy → the team's Slack (a local
 * receiver) gets a message whose button links to the approval → the approver opens that link,
 * approves → Slack gets "executed (dry-run)". The app runs on a Postgres of its own; the test runs
 * the notify-outbox job's function against the same database, as the worker would every minute.
 */
const run = promisify(execFile);
const SHOTS = "test-results";
const PASSWORD = "correct-horse-battery";
const APPROVER = "approver@notify.e2e";
const ADMIN = "admin@notify.e2e";
// next dev compiles each page on first use; a loaded machine needs minutes
const SLOW = 400_000;

let server: AppServer;
let browser: Browser;
let slack: Receiver;
let worker: Deps;
let dropDb: () => Promise<void>;
let agentKey: string;

const cli = async (...args: string[]) => (await run(process.execPath, ["bin/orchestrator.mjs", ...args], { env: server.env })).stdout.trim().split("\n");
const drain = () => notificationsJobs[0]!.run({ deps: worker, runId: "e2e", trigger: "manual", signal: new AbortController().signal, log: () => {}, data: {} });
const slackMessages = () => slack.received.map((r) => JSON.parse(r.body) as { text: string; blocks: { type: string; text?: { text: string }; elements?: { url?: string }[] }[] });

describe("notifications", () => {
  beforeAll(async () => {
    if (!process.env.TEST_DATABASE_URL) return;
    mkdirSync(SHOTS, { recursive: true });
    slack = await startReceiver();
    const db = (await scratchPostgres("test_notif_e2e"))!;
    dropDb = db.drop;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: db.url, SLACK_WEBHOOK_URL: `${slack.url}/services/T/B/secret`, ORCHESTRATOR_URL: url };
    server = await startApp({ port, env });
    worker = await createDeps({ env: parseEnv({ NODE_ENV: "test", ...env }), database: { url: db.url }, kv: createKeyValueStore({}) });
    browser = await launchChromium();
    await cli("users", "create", "--email", APPROVER, "--role", "approver", "--password", PASSWORD);
    await cli("users", "create", "--email", ADMIN, "--role", "admin", "--password", PASSWORD);
    agentKey = (await cli("keys", "create", "--client", "gpt", "--scopes", "intents:propose,intents:read", "--owner", ADMIN)).at(-1)!;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await worker?.database.close();
    await slack?.close();
    await dropDb?.();
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "the approver is told on Slack, approves from the link, and Slack hears the dry-run execution",
    async () => {
      const res = await fetch(`${server.url}/ai/intents`, {
        method: "POST",
        headers: { "x-api-key": agentKey, "content-type": "application/json" },
        body: JSON.stringify({ action: "deploy", target: { repo: "acme/web", ref: "release-7", environment: "production" }, params: { workflow: "deploy.yml" }, reason: "Ship release 7" }),
      });
      expect(res.status).toBe(200);
      const intent = (await res.json()) as { id: string; status: string };
      expect(intent.status).toBe("pending_approval");

      await drain();
      const asked = slackMessages().find((m) => m.blocks[0]?.text?.text.startsWith("Approval needed"));
      const link = asked?.blocks.find((b) => b.type === "actions")?.elements?.[0]?.url;
      expect(link).toBe(`${server.url}/approvals/${intent.id}`);

      const context = await newContext(browser);
      const page = await context.newPage();
      try {
        await signIn(page, server.url, APPROVER, PASSWORD, SLOW);
        await page.goto(link!);
        await page.getByTestId("intent-detail").waitFor();
        await page.screenshot({ path: `${SHOTS}/notifications-approval-link.png`, fullPage: true });
        await page.getByLabel("Comment (required)").fill("Told on Slack; go.");
        await page.getByRole("button", { name: "Approve" }).click();
        await page.getByRole("button", { name: "Yes, approve" }).click();
        await page.locator('[data-testid="intent-status"][data-status="succeeded"]').waitFor();
        await page.screenshot({ path: `${SHOTS}/notifications-approved.png`, fullPage: true });
      } finally {
        await context.close();
      }

      await drain();
      const titles = slackMessages().map((m) => m.blocks[0]?.text?.text);
      expect(titles).toContain("Intent executed (dry-run): deploy acme/web@release-7 to production");
      expect(titles.filter((t) => t?.startsWith("Approval needed"))).toHaveLength(1);
    },
    SLOW * 2,
  );

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "the admin's Notifications page shows the channels (host only), the routes and a working test send",
    async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      try {
        await signIn(page, server.url, ADMIN, PASSWORD, SLOW);
        await page.goto(`${server.url}/notifications`);
        await page.getByTestId("channel-slack").waitFor();
        expect(await page.getByTestId("channel-slack").textContent()).toContain(new URL(slack.url).host);
        expect(await page.content()).not.toContain("/services/T/B/secret");
        await page.getByTestId("route-row").first().waitFor();
        const before = slack.received.length;
        await page.getByTestId("send-test-slack").click();
        await page.getByTestId("test-result").waitFor();
        expect(await page.getByTestId("test-result").textContent()).toBe("Sent.");
        expect(slack.received.length).toBe(before + 1);
        await page.screenshot({ path: `${SHOTS}/notifications-page.png`, fullPage: true });
      } finally {
        await context.close();
      }
    },
    SLOW,
  );
});
