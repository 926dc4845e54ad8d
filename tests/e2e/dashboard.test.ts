import { mkdirSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "./support/server";

const SHOTS = "test-results";
const COMPILE_TIMEOUT = 120_000;

let server: AppServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminPassword: string;

function firstRunPassword(output: string): string {
  const match = /password:\s+(\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no first-run admin password in the server output:\n${output}`);
  return match[1];
}

async function newContext(options: Parameters<Browser["newContext"]>[0] = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext(options);
  ctx.setDefaultTimeout(COMPILE_TIMEOUT);
  ctx.setDefaultNavigationTimeout(COMPILE_TIMEOUT);
  return ctx;
}

async function submitSignIn(email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("dashboard", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startApp();
    adminPassword = firstRunPassword(server.output());
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
    context = await newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("sends a visitor without a session from / to /signin", async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    await page.getByRole("heading", { name: "Sign in to Ops Orchestrator" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/signin.png`, fullPage: true });
  });

  it("shows an error for a wrong password and stays on /signin", async () => {
    await submitSignIn("admin@localhost", "not-the-password");
    // scoped to the form: Next's route announcer is an (empty) role="alert" too
    const alert = page.locator("form").getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Incorrect email or password");
    expect(new URL(page.url()).pathname).toBe("/signin");
    await page.screenshot({ path: `${SHOTS}/signin-error.png` });
  });

  it("signs the admin in and shows the live status", async () => {
    await submitSignIn("admin@localhost", adminPassword);
    await page.waitForURL(`${server.url}/`);
    expect(await page.getByTestId("user-email").textContent()).toBe("admin@localhost");
    expect(await page.getByTestId("user-role").textContent()).toBe("Admin");

    const database = page.locator('[data-testid="connection-database"][data-state="up"]');
    await database.waitFor();
    expect(await database.getByTestId("connection-kind").textContent()).toBe("pglite");
    expect(await database.getByTestId("connection-state").textContent()).toBe("Up");

    const store = page.getByTestId("connection-store");
    expect(await store.getAttribute("data-state")).toBe("up");
    expect(await store.getByTestId("connection-kind").textContent()).toBe("memory");

    expect(await page.getByTestId("overall-status").getAttribute("data-status")).toBe("ok");
    expect(await page.getByTestId("status-version").textContent()).toMatch(/\d+\.\d+\.\d+/);
    expect(await page.getByTestId("status-uptime").textContent()).toMatch(/^\d+[dhms]/);
    expect(await page.getByTestId("embedded-defaults").textContent()).toContain("PGlite");
    expect(await page.getByTestId("connection-github").getAttribute("data-state")).toBe("not_configured");

    // the Jobs card: the server's own runner (the queue over the embedded database) carries out Run now
    const jobs = page.getByTestId("jobs-card");
    await jobs.getByTestId("job-probe").waitFor();
    expect(await jobs.getByTestId("job-index-repos").textContent()).toContain("0 3 * * *");
    await page.getByTestId("run-intents-sweep").click();
    await jobs.getByTestId("job-intents-sweep").getByText("succeeded").waitFor({ timeout: 60_000 });

    await page.screenshot({ path: `${SHOTS}/status.png`, fullPage: true });
  });

  it("sends a signed-in user from /signin back home", async () => {
    const other = await context.newPage();
    try {
      await other.goto(`${server.url}/signin`);
      expect(new URL(other.url()).pathname).toBe("/");
    } finally {
      await other.close();
    }
  });

  it("fits a phone-width screen without horizontal scrolling", async () => {
    const phone = await newContext({ viewport: { width: 390, height: 844 }, storageState: await context.storageState(), isMobile: true, hasTouch: true });
    try {
      const phonePage = await phone.newPage();
      await phonePage.goto(`${server.url}/`);
      await phonePage.locator('[data-testid="connection-database"][data-state="up"]').waitFor();
      const scrollWidth = await phonePage.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(390);
      await phonePage.screenshot({ path: `${SHOTS}/status-phone.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it("signs out back to /signin", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin/);
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe("/signin");
  });
});
