import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubFake, type GitHubFake } from "../fakes/github";
import { addRepo, commit } from "../fakes/github-data";
import { startWordPressFake, type WordPressFake } from "../fakes/wordpress";
import { startPrivateRedis, type PrivateRedis } from "../support/private-redis";
import { scratchPostgres } from "../support/scratch-db";
import { testDatabaseUrl } from "../support/services";
import { firstRunPassword, launchChromium, newContext, signIn } from "./support/browser";
import { startApp, type AppServer } from "./support/server";

/**
 * The Suggestions page in chromium: a WordPress fake that is down and a GitHub fake whose CI workflow
 * fails most runs show as two findings with their evidence links; after the site recovers, Refresh
 * removes one; "Propose as intent" creates an intent the Approvals page lists.
 */
const SHOTS = "test-results";
const TOKEN = "ghp_e2esuggestionsfaketoken0000000000";

describe.skipIf(!testDatabaseUrl())("the Suggestions page", () => {
  let server: AppServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wp: WordPressFake;
  let github: GitHubFake;
  let redis: PrivateRedis;
  let db: { url: string; drop: () => Promise<void> };

  const finding = (key: string) => page.locator(`[data-testid="finding"][data-key="${key}"]`);

  async function probeNow() {
    await page.goto(`${server.url}/maps`);
    await page.getByTestId("refresh-connections").click();
    await page.getByTestId("refresh-result").waitFor({ timeout: 60_000 });
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    wp = await startWordPressFake();
    wp.addSite("shop", { down: true });
    github = await startGitHubFake(TOKEN);
    const repo = addRepo(github.data, "acme/web");
    commit(github.data, repo, { files: { "README.md": "web" }, message: "init" });
    const now = Date.now();
    for (let i = 0; i < 8; i++) {
      const created = new Date(now - (i + 1) * 6 * 3_600_000).toISOString();
      repo.runs.push({
        id: 500 + i,
        name: "CI",
        workflow_id: 77,
        head_branch: "main",
        head_sha: "a".repeat(40),
        event: "push",
        status: "completed",
        conclusion: i < 6 ? "failure" : "success",
        run_number: 100 - i,
        run_attempt: 1,
        created_at: created,
        run_started_at: created,
        updated_at: new Date(Date.parse(created) + 240_000).toISOString(),
        html_url: `https://github.com/acme/web/actions/runs/${500 + i}`,
      });
    }
    redis = await startPrivateRedis();
    db = (await scratchPostgres("test_e2e_sugg"))!;
    server = await startApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        WP_REST_ENDPOINT: wp.siteUrl("shop"),
        WP_USER: "ops",
        WP_APP_PASSWORD: wp.sites.get("shop")!.appPassword,
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: github.url,
        GITHUB_REPO: "acme/web",
        PROBE_INTERVAL_SECONDS: "0",
        PROBE_TIMEOUT_MS: "20000",
      },
    });
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    // a loaded machine compiles the dashboard slowly: give sign-in as long as startup
    await signIn(page, server.url, "admin@localhost", firstRunPassword(server.output()), 400_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- server output (tail) ---\n${server.output().slice(-4_000)}`);
    });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await wp?.close();
    await github?.close();
    await redis?.stop();
    await db?.drop();
  });

  it("shows the site down and the failing workflow, each with evidence links", async () => {
    await probeNow();
    await page.goto(`${server.url}/suggestions`);
    await page.getByTestId("briefing-text").waitFor({ timeout: 120_000 });
    const down = finding("connection-down:wordpress");
    const ci = finding("workflow-failing:acme/web/CI");
    await down.waitFor();
    await ci.waitFor();
    expect(await down.getByTestId("severity").textContent()).toBe("critical");
    expect(await down.locator('a[href="/maps#connection-wordpress"]').count()).toBe(1);
    expect(await ci.textContent()).toContain("failed 6 of 8 finished runs");
    expect(await ci.locator('a[href^="https://github.com/acme/web/actions/runs/"]').count()).toBe(1);
    expect(await page.getByTestId("briefing-text").textContent()).toContain("WordPress is down");
    await page.screenshot({ path: `${SHOTS}/suggestions-two-findings.png`, fullPage: true });
  }, 400_000);

  it("drops the site's finding on Refresh once the site is back", async () => {
    wp.sites.get("shop")!.down = false;
    await probeNow();
    await page.goto(`${server.url}/suggestions`);
    await finding("connection-down:wordpress").waitFor();
    await page.getByTestId("refresh").click();
    await finding("connection-down:wordpress").waitFor({ state: "detached", timeout: 60_000 });
    expect(await finding("workflow-failing:acme/web/CI").count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/suggestions-after-refresh.png`, fullPage: true });
  }, 400_000);

  it("proposes the workflow's re-run as an intent that the Approvals page lists", async () => {
    const ci = finding("workflow-failing:acme/web/CI");
    await ci.getByRole("button", { name: "Propose as intent" }).click();
    await ci.getByTestId("intent-link").waitFor({ timeout: 60_000 });
    await page.goto(`${server.url}/approvals`);
    await page.getByTestId("inbox").waitFor({ timeout: 120_000 });
    expect(await page.getByTestId("inbox").textContent()).toContain("run workflow");
    await page.screenshot({ path: `${SHOTS}/suggestions-intent-in-approvals.png`, fullPage: true });

    await page.goto(`${server.url}/`);
    await page.getByTestId("status-suggestions").getByText("CI fails").waitFor({ timeout: 60_000 });
    await page.screenshot({ path: `${SHOTS}/status-top-suggestions.png`, fullPage: true });
  }, 400_000);
});
