import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium, headless, with nothing phoning home. */
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

/**
 * Signs in through the form and waits for the dashboard home. On a loaded machine `next dev` reloads
 * pages while it compiles the routes they need, and a reload can swallow the submit (the page stays
 * on /signin without an error); the form is then filled in and sent again until the time is up. A
 * refusal (the form's alert) fails at once.
 */
export async function signIn(page: Page, baseUrl: string, email: string, password: string, timeoutMs = COMPILE_TIMEOUT) {
  const deadline = Date.now() + timeoutMs;
  await page.goto(`${baseUrl}/signin`);
  for (let attempt = 1; ; attempt++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    try {
      await page.waitForURL(`${baseUrl}/`, { timeout: Math.max(1_000, Math.min(30_000, deadline - Date.now())) });
      return;
    } catch (err) {
      const refusal = await page
        .getByRole("alert")
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      if (refusal) throw new Error(`sign-in refused for ${email}: ${refusal}`);
      if (Date.now() >= deadline) throw new Error(`still not signed in as ${email} after ${attempt} attempts: ${(err as Error).message}`);
      await page.goto(`${baseUrl}/signin`);
      // signed in after all, and home was only slow to compile: /signin sends a session home
      if (new URL(page.url()).pathname === "/") return;
    }
  }
}

export function firstRunPassword(output: string): string {
  const match = /password:\s+(\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no first-run admin password in the server output:\n${output}`);
  return match[1];
}
