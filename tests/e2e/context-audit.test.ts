import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstRunPassword, launchChromium, newContext, signIn } from "./support/browser";
import { startApp, type AppServer } from "./support/server";

/**
 * Shared context and audit end to end, in chromium: an operator watches a context entry arrive through REST,
 * edits it in the UI, finds both writes in the audit log with the right actors and verifies the
 * chain; viewers cannot edit, signed-out visitors are sent to sign in, admins manage keys.
 */
const SHOTS = "test-results";
const run = promisify(execFile);
const OPERATOR = { email: "op@example.com", password: "correct-horse-battery" };
const VIEWER = { email: "viewer@example.com", password: "correct-horse-battery" };
const KEY = `deploy/window-${Date.now().toString(36)}`;

async function cli(server: AppServer, ...args: string[]) {
  const { stdout } = await run(process.execPath, ["bin/orchestrator.mjs", ...args], { env: server.env });
  return stdout.trim().split("\n");
}

describe("context, audit and keys in the browser", () => {
  let server: AppServer;
  let browser: Browser;
  let operator: BrowserContext;
  let page: Page;
  let gptKey: string;
  let adminPassword: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startApp();
    adminPassword = firstRunPassword(server.output());
    await cli(server, "users", "create", "--email", OPERATOR.email, "--role", "operator", "--password", OPERATOR.password);
    await cli(server, "users", "create", "--email", VIEWER.email, "--role", "viewer", "--password", VIEWER.password);
    const lines = await cli(server, "keys", "create", "--client", "gpt", "--scopes", "context:write,context:read,audit:read", "--owner", "admin@localhost");
    gptKey = lines[lines.length - 1]!;
    browser = await launchChromium();
    operator = await newContext(browser);
    page = await operator.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("sends a signed-out visitor of /context to sign in, and answers 401 to a signed-out tRPC call", async () => {
    const res = await fetch(`${server.url}/context`, { redirect: "manual" });
    expect([303, 307, 308]).toContain(res.status);
    expect(new URL(res.headers.get("location")!, server.url).pathname).toBe("/signin");
    const trpc = await fetch(`${server.url}/api/trpc/status.get`);
    expect(trpc.status).toBe(401);
    const anon = await newContext(browser);
    try {
      const p = await anon.newPage();
      await p.goto(`${server.url}/audit`);
      expect(new URL(p.url()).pathname).toBe("/signin");
    } finally {
      await anon.close();
    }
  });

  it("shows the operator a REST write live on /context, and lets them edit it as JSON", async () => {
    await signIn(page, server.url, OPERATOR.email, OPERATOR.password);
    expect(await page.getByTestId("user-role").textContent()).toBe("Operator");
    await page.goto(`${server.url}/context`);
    await page.locator('[data-testid="live-status"][data-status="pending"]').waitFor();
    expect(await page.getByTestId("current-scope").textContent()).toBe("global");

    const put = await fetch(`${server.url}/ai/context`, {
      method: "PUT",
      headers: { "x-api-key": gptKey, "content-type": "application/json" },
      body: JSON.stringify({ scope: "global", key: KEY, value: { window: "Friday 14:00", owner: "gpt" } }),
    });
    expect(put.status).toBe(200);
    const row = page.locator(`[data-testid="entry-row"][data-key="${KEY}"]`);
    await row.waitFor(); // no reload: it arrived over the live subscription
    expect(await row.getAttribute("data-version")).toBe("1");
    expect(await row.getByTestId("entry-author").textContent()).toBe("gpt");
    expect(await row.getByTestId("entry-value").textContent()).toContain("Friday 14:00");
    expect(await row.getByTestId("entry-expiry").textContent()).toMatch(/1[45]:\d\d/);

    await row.getByRole("button", { name: `Edit ${KEY}` }).click();
    const editor = page.getByTestId("entry-editor");
    await editor.getByTestId("json-editor").fill('{ "window": "Monday 09:00", }');
    expect(await editor.getByTestId("json-error").textContent()).toMatch(/Invalid JSON at line 1, column 29/);
    expect(await editor.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/context-editor.png` });
    await editor.getByTestId("json-editor").fill('{ "window": "Monday 09:00", "owner": "ops" }');
    await editor.getByRole("button", { name: "Save" }).click();
    await editor.waitFor({ state: "detached" });
    expect(await page.getByTestId("context-notice").textContent()).toContain(`Saved ${KEY} as v2`);
    await page.locator(`[data-testid="entry-row"][data-key="${KEY}"][data-version="2"]`).waitFor();
    expect(await row.getByTestId("entry-author").textContent()).toBe(`you (${OPERATOR.email})`);

    await row.getByRole("button", { name: "History" }).click();
    const history = page.getByTestId("entry-history");
    await expect.poll(() => history.getByTestId("history-item").count()).toBe(2);
    expect(await history.getByTestId("current-value").textContent()).toContain("Monday 09:00");
    await page.getByRole("button", { name: "Close the history" }).click();
    await page.screenshot({ path: `${SHOTS}/context.png`, fullPage: true });
  });

  it("shows both writes on /audit with their actors, filtered to them, and verifies the chain", async () => {
    await page.goto(`${server.url}/audit`);
    await page.getByTestId("audit-row").first().waitFor();
    await page.getByTestId("audit-search").fill(KEY);
    await page.getByRole("button", { name: "Filters" }).click();
    await page.getByLabel("Action prefix").fill("context.");
    await page.getByTestId("apply-filters").click();
    await page.waitForURL(/q=.*action=context\./);
    await expect.poll(() => page.getByTestId("audit-row").count()).toBe(2);
    const rows = await page
      .getByTestId("audit-row")
      .evaluateAll((els) => els.map((r) => ({ action: r.getAttribute("data-action"), actor: r.querySelector('[data-testid="row-actor"]')?.textContent })));
    expect(rows).toEqual([
      { action: "context.put", actor: OPERATOR.email },
      { action: "context.put", actor: "gpt" },
    ]);

    // the URL alone reproduces the view
    const shared = await operator.newPage();
    await shared.goto(page.url());
    await expect.poll(() => shared.getByTestId("audit-row").count()).toBe(2);
    await shared.close();

    await page.getByTestId("audit-row").last().click();
    const detail = page.getByTestId("audit-detail");
    await detail.waitFor();
    await page.waitForURL(/event=\d+/);
    expect(await detail.getByTestId("detail-actor").textContent()).toBe("gpt");
    expect(await detail.getByTestId("detail-hash").textContent()).toMatch(/^[0-9a-f]{64}$/);
    expect(await detail.getByTestId("detail-prev-hash").textContent()).toMatch(/^[0-9a-f]{64}$/);
    expect(await detail.getByTestId("detail-detail").textContent()).toContain("Friday 14:00");
    await page.getByRole("button", { name: "Close the event details" }).click();
    await detail.waitFor({ state: "detached" });

    await page.getByTestId("verify-chain").click();
    const verdict = page.getByTestId("verify-result");
    await verdict.waitFor();
    expect(await verdict.getAttribute("data-ok")).toBe("true");
    expect(await verdict.textContent()).toContain("Chain intact");
    await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true });
  });

  it("shows the Status cards: API rates, shared context, recent activity", async () => {
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid="connection-database"][data-state="up"]').waitFor();
    await page.getByTestId("status-request-rate").filter({ hasText: "/ min" }).waitFor();
    expect(await page.getByTestId("status-error-rate").textContent()).toMatch(/%/);
    await page.getByTestId("activity-chart").waitFor();
    await page.getByTestId("context-last-writes").getByText(KEY).first().waitFor();
    expect(await page.getByTestId("context-total").textContent()).toMatch(/^1 live entry/);
    await page.getByTestId("recent-list").getByText("context.put").first().waitFor();
    await page.screenshot({ path: `${SHOTS}/status-operator.png`, fullPage: true }); // status.png is dashboard.test.ts's first-run view
  });

  it("fits Context and Audit on a phone-width screen without horizontal scrolling", async () => {
    const phone = await newContext(browser, { viewport: { width: 390, height: 844 }, storageState: await operator.storageState(), isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      for (const [path, ready, shot] of [
        ["/context?scope=global", `[data-testid="entry-row"][data-key="${KEY}"]`, "context-phone"],
        [`/audit?q=${encodeURIComponent(KEY)}`, '[data-testid="audit-row"]', "audit-phone"],
      ] as const) {
        await p.goto(`${server.url}${path}`);
        await p.locator(ready).first().waitFor();
        expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        await p.screenshot({ path: `${SHOTS}/${shot}.png`, fullPage: true });
      }
    } finally {
      await phone.close();
    }
  });

  it("shows a viewer the entry without edit buttons, and context.put answers 403", async () => {
    const viewer = await newContext(browser);
    try {
      const p = await viewer.newPage();
      await signIn(p, server.url, VIEWER.email, VIEWER.password);
      await p.goto(`${server.url}/context?scope=global`);
      const row = p.locator(`[data-testid="entry-row"][data-key="${KEY}"]`);
      await row.waitFor();
      expect(await p.getByRole("button", { name: /^(Edit|Delete)/ }).count()).toBe(0);
      expect(await p.getByTestId("new-entry").count()).toBe(0);
      const res = await p.request.post(`${server.url}/api/trpc/context.put`, {
        headers: { origin: server.url, "content-type": "application/json" },
        data: { scope: "global", key: KEY, value: "viewer was here" },
      });
      expect(res.status()).toBe(403);
      expect((await p.request.get(`${server.url}/ai/context?scope=global&key=${KEY}`, { headers: { "x-api-key": gptKey } })).status()).toBe(200);
      expect(await row.getAttribute("data-version")).toBe("2");
    } finally {
      await viewer.close();
    }
  });

  it("hides key management from an operator, and the procedure answers 403", async () => {
    await page.goto(`${server.url}/keys`);
    await page.getByTestId("not-allowed").waitFor();
    expect(await page.getByRole("link", { name: "Keys" }).count()).toBe(0);
    const res = await page.request.get(`${server.url}/api/trpc/keys.list?input=${encodeURIComponent(JSON.stringify({}))}`);
    expect(res.status()).toBe(403);
  });

  it("lets an admin create a key (shown once), list and revoke it", async () => {
    const admin = await newContext(browser);
    try {
      const p = await admin.newPage();
      await signIn(p, server.url, "admin@localhost", adminPassword);
      await p.goto(`${server.url}/keys`);
      await p.locator('[data-testid="key-row"]').first().waitFor();
      await p.getByTestId("new-key-button").click();
      await p.getByLabel("Client id").fill("ci-e2e");
      await p.getByLabel("audit:read").check();
      await p.getByLabel("read", { exact: true }).fill("120");
      await p.getByRole("button", { name: "Create key" }).click();
      const key = (await p.getByTestId("new-key-value").textContent())!;
      expect(key).toMatch(/^oo_[0-9A-Za-z]{43}$/);
      expect(await p.getByTestId("new-key").textContent()).toContain("won't see it again");
      await p.screenshot({ path: `${SHOTS}/keys-created.png`, fullPage: true });
      expect((await fetch(`${server.url}/ai/whoami`, { headers: { "x-api-key": key } })).status).toBe(200);

      await p.getByRole("button", { name: "I have stored it" }).click();
      expect(await p.getByText(key).count()).toBe(0);
      const row = p.locator(`[data-testid="key-row"][data-prefix="${key.slice(0, 11)}"]`);
      expect(await row.textContent()).toContain("read 120/min");
      await row.getByRole("button", { name: /Revoke/ }).click();
      await p.getByRole("alertdialog").getByRole("button", { name: "Revoke key" }).click();
      await row.waitFor({ state: "detached" });
      expect((await fetch(`${server.url}/ai/whoami`, { headers: { "x-api-key": key } })).status).toBe(401);
      await p.getByLabel("Show revoked").check();
      await p
        .locator(`[data-testid="key-row"][data-prefix="${key.slice(0, 11)}"] [data-testid="key-state"]`)
        .filter({ hasText: "revoked" })
        .waitFor();
      await p.screenshot({ path: `${SHOTS}/keys.png`, fullPage: true });
    } finally {
      await admin.close();
    }
  });
});
