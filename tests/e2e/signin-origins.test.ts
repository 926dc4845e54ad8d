import type { Browser, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstRunPassword, launchChromium, newContext } from "./support/browser";
import { startApp, type AppServer } from "./support/server";

/**
 * `npm run dev` (no -H: Next itself trusts only `localhost`) opened at localhost and at 127.0.0.1: the
 * sign-in page hydrates at both and signs in, and the form never sends credentials in a URL — not
 * even when the browser submits it on its own (no JavaScript), which it must do by POST.
 */
let server: AppServer;
let browser: Browser;
let password: string;

function credentialsInUrl(requests: Request[]): string[] {
  return requests.map((r) => r.url()).filter((u) => /[?&](password|email)=/i.test(u));
}

describe("sign-in at localhost and 127.0.0.1", () => {
  beforeAll(async () => {
    server = await startApp({ bindAll: true });
    password = firstRunPassword(server.output());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it.each(["localhost", "127.0.0.1"])("hydrates at %s and signs in by pressing Enter, with nothing in the URL", async (host) => {
    const base = `http://${host}:${server.port}`;
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const requests: Request[] = [];
      page.on("request", (r) => requests.push(r));
      await page.goto(`${base}/signin`);
      await page.locator('form[data-hydrated="true"]').waitFor();
      await page.getByLabel("Email").fill("admin@localhost");
      await page.getByLabel("Password").fill(password);
      await page.getByLabel("Password").press("Enter");
      await page.waitForURL(`${base}/`);
      expect(await page.getByTestId("user-email").textContent()).toBe("admin@localhost");
      expect(credentialsInUrl(requests)).toEqual([]);
      const signIn = requests.filter((r) => new URL(r.url()).pathname === "/api/auth/callback/credentials");
      expect(signIn.map((r) => r.method())).toEqual(["POST"]);
    } finally {
      await context.close();
    }
  });

  it("without JavaScript, the browser's own submit is a POST and never puts the password in a URL", async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const requests: Request[] = [];
      page.on("request", (r) => requests.push(r));
      await page.goto(`http://127.0.0.1:${server.port}/signin`);
      await page.getByLabel("Email").fill("admin@localhost");
      await page.getByLabel("Password").fill(password);
      await page.getByLabel("Password").press("Enter");
      await page.waitForURL(/\/signin\?/);
      const submit = requests.find((r) => r.isNavigationRequest() && new URL(r.url()).pathname === "/api/auth/callback/credentials");
      expect(submit?.method()).toBe("POST");
      expect(credentialsInUrl(requests)).toEqual([]);
      // refused without the CSRF token only the script sends: back on the form, signed out
      await page.getByLabel("Password").waitFor();
      expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: expect.stringMatching(/session-token/) }));
    } finally {
      await context.close();
    }
  });
});
