import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium, headless, with nothing phoning home (DESIGN.md §6). */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
/** `next dev` compiles a page on its first visit; on two shared cores that takes a while. */
export const COMPILE_TIMEOUT = 120_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export async function newContext(browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  ctx.setDefaultTimeout(COMPILE_TIMEOUT);
  ctx.setDefaultNavigationTimeout(COMPILE_TIMEOUT);
  return ctx;
}

/** Signs in through the form and waits for the dashboard home. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseUrl}/`);
}

export function firstRunPassword(output: string): string {
  const match = /password:\s+(\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no first-run admin password in the server output:\n${output}`);
  return match[1];
}
