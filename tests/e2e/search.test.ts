import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchPostgres } from "../support/scratch-db";
import { testDatabaseUrl } from "../support/services";
import { launchChromium, newContext, signIn } from "./support/browser";
import { startApp, type AppServer } from "./support/server";

/**
 * Code search in the dashboard, in chromium: an operator searches indexed code (fixtures written straight
 * into a scratch Postgres the app runs on), sees escaped, highlighted snippets linking to GitHub, and
 * queues a reindex from the Repos page. Needs TEST_DATABASE_URL's server (the app's embedded database
 * cannot be written from outside its process).
 */
const run = promisify(execFile);
const OPERATOR = { email: "search-op@example.com", password: "correct-horse-battery" };
const REPO = "acme/shop";
const SHA = "0123456789abcdef0123456789abcdef01234567";

// Needs a Postgres server of its own (TEST_DATABASE_URL; CI sets it, REQUIRE_SERVICES=1 makes it mandatory).
describe.skipIf(!testDatabaseUrl())("search and repos in the browser", () => {
  let server: AppServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let scratch: { url: string; drop: () => Promise<void> } | null = null;
  let dbUrl: string;

  beforeAll(async () => {
    scratch = await scratchPostgres("test_scratch_e2e_search");
    dbUrl = scratch!.url;
    // no job runner in this app (a web service beside a worker): a queued index run stays queued for the assertion below
    server = await startApp({ env: { DATABASE_URL: dbUrl, JOBS_RUNNER: "off" } });
    await run(process.execPath, ["bin/orchestrator.mjs", "users", "create", "--email", OPERATOR.email, "--role", "operator", "--password", OPERATOR.password], { env: server.env });
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    await db.query(`INSERT INTO "repo" ("id", "source", "default_branch", "html_url", "indexed_sha", "indexed_at", "index_state") VALUES ($1, 'github', 'main', $2, $3, now(), 'ready')`, [
      REPO,
      `https://github.com/${REPO}`,
      SHA,
    ]);
    await db.query(
      `INSERT INTO "repo_file" ("repo_id", "path", "blob_sha", "language", "size", "summary_source", "summary", "symbols") VALUES ($1, 'src/billing/invoice.ts', 'b', 'typescript', 120, 'extractive', 'Creates invoices.', $2)`,
      [REPO, ["createInvoice"]],
    );
    await db.query(
      `INSERT INTO "code_chunk" ("id", "repo_id", "path", "blob_sha", "start_line", "end_line", "kind", "symbol", "language", "content") VALUES ('c1', $1, 'src/billing/invoice.ts', 'b', 3, 6, 'declaration', 'createInvoice', 'typescript', $2)`,
      [REPO, "// <b>not bold</b>\nexport function createInvoice(order) {\n  return order;\n}"],
    );
    await db.end();
    browser = await launchChromium();
    ctx = await newContext(browser);
    page = await ctx.newPage();
    await signIn(page, server.url, OPERATOR.email, OPERATOR.password);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await scratch?.drop();
  });

  it("searches from the URL, shows an escaped highlighted snippet and a GitHub link, and says when nothing matches", async () => {
    await page.goto(`${server.url}/search?q=${encodeURIComponent("where are invoices created")}`);
    const result = page.getByTestId("search-result").first();
    await result.waitFor();
    const link = result.getByRole("link", { name: "src/billing/invoice.ts:3-6" });
    expect(await link.getAttribute("href")).toBe(`https://github.com/${REPO}/blob/${SHA}/src/billing/invoice.ts#L3-L6`);
    const snippet = result.getByTestId("snippet");
    expect(await snippet.locator("mark").first().textContent()).toBe("createInvoice");
    expect(await snippet.locator("b").count()).toBe(0);
    expect(await snippet.textContent()).toContain("<b>not bold</b>");

    await page.getByLabel("Search query").fill("zzzunmatched");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=zzzunmatched/);
    await page.getByTestId("empty-state").waitFor();
  });

  it("lists the repo's index and queues a reindex for an operator", async () => {
    await page.goto(`${server.url}/repos`);
    const card = page.getByTestId("repo-card").filter({ hasText: REPO });
    await card.waitFor();
    expect(await card.textContent()).toContain(SHA.slice(0, 12));
    await card.getByRole("button", { name: "Reindex" }).click();
    await card.getByText("queued", { exact: true }).waitFor();
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const runs = await db.query(`SELECT "trigger", "status" FROM "index_run" WHERE "repo_id" = $1`, [REPO]);
    await db.end();
    expect(runs.rows).toEqual([{ trigger: "dashboard", status: "queued" }]);
  });
});
