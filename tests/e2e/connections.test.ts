import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWordPressFake, type WordPressFake } from "../fakes/wordpress";
import { startPrivateRedis, type PrivateRedis } from "../support/private-redis";
import { scratchPostgres } from "../support/scratch-db";
import { testDatabaseUrl } from "../support/services";
import { firstRunPassword, launchChromium, newContext, signIn } from "./support/browser";
import { startApp, type AppServer } from "./support/server";

/**
 * The connections feature end to end, in chromium: the Connections page with a real Postgres (a database of this
 * run's own on TEST_DATABASE_URL's server), a real Redis (a private redis-server) and a WordPress fake
 * that goes down between two refreshes: the card turns red, the uptime bar and the audit feed show it.
 */
const SHOTS = "test-results";
const SLOW_MS = 800;
const run = promisify(execFile);

// Needs a Postgres server of its own (TEST_DATABASE_URL; CI sets it, REQUIRE_SERVICES=1 makes it mandatory).
describe.skipIf(!testDatabaseUrl())("the Connections page", () => {
  let server: AppServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wp: WordPressFake;
  let redis: PrivateRedis;
  let db: { url: string; drop: () => Promise<void> };

  const panel = (id: string) => page.getByTestId(`connection-panel-${id}`);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    wp = await startWordPressFake();
    wp.addSite("shop", { slowMs: SLOW_MS });
    redis = await startPrivateRedis();
    db = (await scratchPostgres("test_e2e_conn"))!;
    server = await startApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        WP_REST_ENDPOINT: wp.siteUrl("shop"),
        WP_USER: "ops",
        WP_APP_PASSWORD: wp.sites.get("shop")!.appPassword,
        // only the Refresh button probes, so the test decides when
        PROBE_INTERVAL_SECONDS: "0",
        // generous: on a loaded machine `next dev` can stall its event loop for seconds while compiling
        PROBE_TIMEOUT_MS: "20000",
      },
    });
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    await signIn(page, server.url, "admin@localhost", firstRunPassword(server.output())).catch((err: Error) => {
      throw new Error(`${err.message}\n--- server output (tail) ---\n${server.output().slice(-4_000)}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await wp?.close();
    await redis?.stop();
    await db?.drop();
  });

  it("probes on Refresh with progress, and shows every layer up with latency and uptime", async () => {
    await page.goto(`${server.url}/maps`);
    await page.getByTestId("connections-view").waitFor();
    for (const id of ["database", "store", "wordpress"]) expect(await panel(id).getAttribute("data-state")).toBe("unchecked");
    expect(await panel("github").getAttribute("data-state")).toBe("not_configured");

    await page.getByTestId("refresh-connections").click();
    const progress = page.getByTestId("refresh-progress");
    await progress.waitFor(); // the WordPress fake answers late: the run is visibly in progress
    expect(await progress.textContent()).toMatch(/of 3 checked|starting/);
    const result = page.getByTestId("refresh-result");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^Probed 3 in \d+ ms · all answered$/);
    await progress.waitFor({ state: "detached" });
    for (const id of ["database", "store", "wordpress"]) await page.locator(`[data-testid="connection-panel-${id}"][data-state="up"]`).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId("overall-status").getAttribute("data-status")).toBe("ok");

    const shop = panel("wordpress");
    await shop.getByTestId("latency-chart").waitFor();
    expect(Number(await shop.getByTestId("latency-chart").getAttribute("data-points"))).toBeGreaterThanOrEqual(1);
    await expect.poll(() => shop.getByTestId("uptime-cell").last().getAttribute("data-tone")).toBe("full");
    expect(await shop.getByTestId("uptime-cell").count()).toBe(90);
    expect(await shop.getByTestId("uptime-cell").first().getAttribute("data-tone")).toBe("none"); // no data is not 100 %
    expect(await shop.getByTestId("panel-latency").textContent()).toMatch(/^(1\.\d s|\d+ ms)$/);
    await shop.getByText("Configured with").click();
    expect(await shop.getByTestId("panel-config").textContent()).toContain(wp.siteUrl("shop"));
    expect(await page.content()).not.toContain(wp.sites.get("shop")!.appPassword);
    expect(await page.getByTestId("map-node-wordpress").getAttribute("data-state")).toBe("up");
    await page.screenshot({ path: `${SHOTS}/connections-up.png`, fullPage: true });
  });

  it("turns the card red when WordPress goes down between two refreshes, with the outage in the uptime bar", async () => {
    const site = wp.sites.get("shop")!;
    site.slowMs = 0;
    site.down = true;
    await page.getByTestId("refresh-connections").click();
    await page.getByTestId("refresh-result").filter({ hasText: "down: wordpress" }).waitFor();
    const shop = page.locator('[data-testid="connection-panel-wordpress"][data-state="down"]');
    await shop.waitFor();
    expect(await shop.getAttribute("class")).toContain("border-red-300");
    expect(await shop.getByTestId("panel-error").textContent()).toContain("503");
    expect(await page.getByTestId("overall-status").getAttribute("data-status")).toBe("degraded");
    expect(await shop.getByTestId("uptime-24h").textContent()).toBe("50 %");
    await expect.poll(() => shop.getByTestId("uptime-cell").last().getAttribute("data-tone")).toBe("bad");
    await shop.getByTestId("uptime-cell").last().hover();
    expect(await shop.getByTestId("uptime-tooltip").textContent()).toMatch(/: 50 % up \(2 probes, 1 down\)$/);
    expect(await page.getByTestId("map-node-wordpress").getAttribute("data-state")).toBe("down");
    expect(await page.getByTestId("map-edge-hosting").getAttribute("data-state")).toBe("down");
    expect(await panel("database").getAttribute("data-state")).toBe("up");
    await page.screenshot({ path: `${SHOTS}/connections-down.png`, fullPage: true });
  });

  it("shows the outage in the audit feed, and the Status card links to the connection", async () => {
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid="connection-wordpress"][data-state="down"]').waitFor();
    await page.getByTestId("recent-list").getByText("connection.down").first().waitFor();
    await page.screenshot({ path: `${SHOTS}/status-degraded.png`, fullPage: true });
    await page.getByTestId("connection-wordpress").getByTestId("connection-link").click();
    await page.waitForURL(`${server.url}/maps#connection-wordpress`);
    await page.locator('[data-testid="connection-panel-wordpress"][data-state="down"]').waitFor();

    await page.goto(`${server.url}/audit?action=connection.`);
    await page.getByTestId("audit-row").first().waitFor();
    await expect.poll(() => page.getByTestId("audit-row").count()).toBe(1);
    const row = page.getByTestId("audit-row").first();
    expect(await row.getAttribute("data-action")).toBe("connection.down");
    expect(await row.textContent()).toContain("wordpress");
    await page.screenshot({ path: `${SHOTS}/audit-outage.png`, fullPage: true });
  });

  it("fits the Connections page on a phone-width screen", async () => {
    const phone = await newContext(browser, { viewport: { width: 390, height: 844 }, storageState: await context.storageState(), isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      await p.goto(`${server.url}/maps`);
      await p.locator('[data-testid="connection-panel-wordpress"][data-state="down"]').getByTestId("uptime-bar").waitFor();
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.screenshot({ path: `${SHOTS}/connections-phone.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it("updates live when another client's refresh finds WordPress back up", async () => {
    const { stdout } = await run(process.execPath, ["bin/orchestrator.mjs", "keys", "create", "--client", "uptime-bot", "--scopes", "metrics:read", "--owner", "admin@localhost"], { env: server.env });
    const key = stdout.trim().split("\n").pop()!;
    await page.goto(`${server.url}/maps`);
    await page.locator('[data-testid="connection-panel-wordpress"][data-state="down"]').waitFor();
    wp.sites.get("shop")!.down = false;
    const res = await fetch(`${server.url}/ai/connections/refresh`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(200);
    // no reload: the page polls, and reloads the histories once it sees the new run
    const shop = page.locator('[data-testid="connection-panel-wordpress"][data-state="up"]');
    await shop.waitFor({ timeout: 30_000 });
    await expect.poll(() => shop.getByTestId("uptime-24h").textContent(), { timeout: 30_000 }).toBe("66.6 %");
    expect(await page.getByTestId("overall-status").getAttribute("data-status")).toBe("ok");
    await page.goto(`${server.url}/audit?action=connection.`);
    await page.getByTestId("audit-row").first().waitFor();
    await expect.poll(() => page.getByTestId("audit-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action")))).toEqual(["connection.up", "connection.down"]);
  });
});
