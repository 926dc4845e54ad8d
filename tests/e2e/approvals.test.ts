import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "./support/browser";
import { startApp, type AppServer } from "./support/server";

/**
 * The approvals loop end to end: an agent key proposes a production deploy over REST; the owner of
 * the agent's client signs in, sees the badge and the intent, and cannot approve it (four-eyes);
 * an approver signs in, approves with a comment and a confirmation; the intent executes in dry-run
 * and the agent's poll shows succeeded with the request that would have been sent.
 */
const run = promisify(execFile);
const SHOTS = "test-results";
const TIMEOUT = 120_000;
const PASSWORD = "correct-horse-battery";
const OWNER = "owner@e2e.test";
const APPROVER = "approver@e2e.test";

let server: AppServer;
let browser: Browser;
let agentKey: string;
let intent: { id: string; payloadHash: string };

async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, ["bin/orchestrator.mjs", ...args], { env: server.env });
  return stdout.trim().split("\n");
}

async function signedIn(email: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  await signIn(page, server.url, email, PASSWORD);
  return { context, page };
}

async function openIntentFromBadge(page: Page) {
  const badge = page.getByTestId("pending-badge");
  await badge.waitFor();
  expect(await badge.textContent()).toBe("1");
  await page.getByRole("link", { name: /Approvals/ }).click();
  await page.waitForURL(`${server.url}/approvals`);
  await page.locator(`[data-testid="intent-row"][data-intent="${intent.id}"]`).click();
  await page.waitForURL(`${server.url}/approvals/${intent.id}`);
  await page.getByTestId("intent-detail").waitFor();
}

describe("approvals", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startApp();
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
    await cli("users", "create", "--email", OWNER, "--role", "approver", "--password", PASSWORD);
    await cli("users", "create", "--email", APPROVER, "--role", "approver", "--password", PASSWORD);
    const lines = await cli("keys", "create", "--client", "gpt", "--scopes", "intents:propose,intents:read", "--owner", OWNER);
    agentKey = lines.at(-1)!;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the agent proposes a production deploy over REST and is told it waits for an approver", async () => {
    const res = await fetch(`${server.url}/ai/intents`, {
      method: "POST",
      headers: { "x-api-key": agentKey, "content-type": "application/json", "idempotency-key": "e2e-deploy-1" },
      body: JSON.stringify({
        action: "deploy",
        target: { repo: "acme/web", ref: "release-42", environment: "production" },
        params: { workflow: "deploy.yml", inputs: { note: "<script>alert('x')</script>" } },
        reason: "Ship release 42: fixes the checkout bug <b>now</b>",
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; status: string; payloadHash: string; policy: { rule: string } };
    expect(body).toMatchObject({ status: "pending_approval", policy: { rule: "production-needs-approver" } });
    intent = body;
  });

  it("the owner of the agent's client sees the badge and the intent, but cannot approve it", async () => {
    const { context, page } = await signedIn(OWNER);
    try {
      await openIntentFromBadge(page);
      expect(await page.getByTestId("intent-requester").textContent()).toBe("gpt");
      // agent text is shown as text, never as markup
      expect(await page.getByTestId("intent-reason").textContent()).toBe("Ship release 42: fixes the checkout bug <b>now</b>");
      expect(await page.getByTestId("intent-params").textContent()).toContain("<script>alert('x')</script>");
      expect(await page.locator("[data-testid=intent-reason] b").count()).toBe(0);
      expect(await page.getByTestId("not-eligible").textContent()).toMatch(/You own the client gpt/);
      expect(await page.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
      await page.screenshot({ path: `${SHOTS}/approvals-owner-cannot-approve.png`, fullPage: true });
      // and the server refuses it too, whatever the page shows
      const status = await page.evaluate(async ({ id, payloadHash }) => {
        const r = await fetch("/api/trpc/intents.approve?batch=1", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ 0: { id, comment: "mine", payloadHash } }),
        });
        return r.status;
      }, intent);
      expect(status).toBe(403);
    } finally {
      await context.close();
    }
  });

  it("an approver approves with a comment and a confirmation; the intent executes in dry-run", async () => {
    const { context, page } = await signedIn(APPROVER);
    try {
      await openIntentFromBadge(page);
      await page.screenshot({ path: `${SHOTS}/approvals-intent.png`, fullPage: true });
      await page.getByLabel("Comment (required)").fill("Checked the release notes; go.");
      await page.getByRole("button", { name: "Approve" }).click();
      await page.getByTestId("confirm").waitFor();
      await page.getByRole("button", { name: "Yes, approve" }).click();
      await page.locator('[data-testid="intent-status"][data-status="succeeded"]').waitFor();
      expect(await page.getByTestId("intent-result").textContent()).toMatch(/dry run/i);
      expect(await page.getByTestId("intent-requests").textContent()).toContain("/repos/acme/web/actions/workflows/deploy.yml/dispatches");
      await page.screenshot({ path: `${SHOTS}/approvals-succeeded.png`, fullPage: true });
      await page.goto(`${server.url}/approvals/history`);
      await page.locator(`[data-testid="intent-row"][data-intent="${intent.id}"]`).waitFor();
      await page.screenshot({ path: `${SHOTS}/approvals-history.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("the agent's poll shows succeeded with the recorded request", async () => {
    const res = await fetch(`${server.url}/ai/intents/${intent.id}`, { headers: { "x-api-key": agentKey } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; result: { dryRun: boolean; requests: { method: string; url: string; body: unknown }[] } };
    expect(body.status).toBe("succeeded");
    expect(body.result.dryRun).toBe(true);
    expect(body.result.requests).toEqual([
      {
        method: "POST",
        url: "https://api.github.com/repos/acme/web/actions/workflows/deploy.yml/dispatches",
        body: { ref: "release-42", inputs: { note: "<script>alert('x')</script>", environment: "production" } },
      },
    ]);
  });

  it("the intent's whole trail opens on /audit filtered by its id, the agent's poll and the refused approval included", async () => {
    const { context, page } = await signedIn(APPROVER);
    try {
      await page.goto(`${server.url}/approvals/${intent.id}`);
      await page.getByTestId("intent-audit-link").click();
      await page.waitForURL(`${server.url}/audit?intentId=${intent.id}`);
      expect(await page.getByTestId("active-filters").textContent()).toContain(intent.id);
      await page.getByTestId("audit-row").first().waitFor();
      const rows = () => page.getByTestId("audit-row").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-action")}:${e.getAttribute("data-outcome")}`));
      await expect.poll(rows).toContain("intents.succeeded:success");
      expect((await rows()).sort()).toEqual(
        [
          "intents.propose:success",
          "intents.approve:denied",
          "intents.approve:success",
          "intents.approved:success",
          "intents.execute:success",
          "intents.succeeded:success",
          "intents.get:success",
        ].sort(),
      );
      await page.screenshot({ path: `${SHOTS}/approvals-audit-trail.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("the intent page fits a phone-width screen", async () => {
    const { context, page } = await signedIn(APPROVER, { width: 390, height: 844 });
    try {
      await page.goto(`${server.url}/approvals/${intent.id}`);
      await page.getByTestId("intent-detail").waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${SHOTS}/approvals-intent-phone.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
