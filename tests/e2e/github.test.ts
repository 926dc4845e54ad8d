import { execFile } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import examples from "@octokit/webhooks-examples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "./support/server";

/**
 * GitHub through a real `next dev`: the webhook route reads the raw body and checks
 * its signature, dedupes redeliveries; /ai/github/* answer over the app's own git checkout (no token).
 */
const run = promisify(execFile);
const SECRET = `e2e-${randomUUID()}`;

describe("GitHub over HTTP", () => {
  let server: AppServer;
  let key: string;

  beforeAll(async () => {
    // On the test Postgres when one is given (as CI runs), else the embedded database
    const database: Record<string, string> = process.env.TEST_DATABASE_URL ? { DATABASE_URL: process.env.TEST_DATABASE_URL } : {};
    server = await startApp({ env: { ...database, GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: "", GITHUB_REPO: "", REPO_PATH: process.cwd() } });
    // a shared test database may hold users already, so no first admin: the key's owner is made here
    const owner = `gpt-github-owner-${Date.now()}@test.local`;
    await run(process.execPath, ["bin/orchestrator.mjs", "users", "create", "--email", owner, "--role", "operator", "--password", "owner-password-1"], { env: server.env });
    const { stdout } = await run(process.execPath, ["bin/orchestrator.mjs", "keys", "create", "--client", "gpt-github", "--scopes", "github:read,audit:read", "--owner", owner], { env: server.env });
    key = stdout.trim().split("\n").at(-1)!;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (body: string, headers: Record<string, string>) => fetch(`${server.url}/api/github/webhook`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

  it("a signed delivery is accepted once (202, then 200 duplicate); an unsigned one is 401", async () => {
    const ping = (examples as unknown as { name: string; examples: unknown[] }[]).find((d) => d.name === "ping")!.examples[0];
    // GitHub signs the exact bytes it sends: keep its formatting, not a re-serialization
    const body = JSON.stringify(ping, null, 2);
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const id = randomUUID();
    const first = await post(body, { "x-github-event": "ping", "x-github-delivery": id, "x-hub-signature-256": signature });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ delivery: id, duplicate: false, action: "github.ping" });
    const again = await post(body, { "x-github-event": "ping", "x-github-delivery": id, "x-hub-signature-256": signature });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const unsigned = await post(body, { "x-github-event": "ping", "x-github-delivery": randomUUID() });
    expect(unsigned.status).toBe(401);

    const audit = await fetch(`${server.url}/ai/audit?action=github.ping`, { headers: { "x-api-key": key } });
    const items = ((await audit.json()) as { items: { action: string; actorType: string; detail: { deliveryId?: string } | null }[] }).items;
    const events = items.filter((e) => e.detail?.deliveryId === id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "github.ping", actorType: "github" });
  });

  it("/ai/github/repo and /ai/github/commits read the app's own checkout", async () => {
    const repo = await fetch(`${server.url}/ai/github/repo`, { headers: { "x-api-key": key } });
    expect(repo.status).toBe(200);
    const info = (await repo.json()) as { source: string; repo: string; languages: { language: string }[] };
    expect(info.source).toBe("local");
    expect(info.repo).toMatch(/^local\//);
    expect(info.languages.map((l) => l.language)).toContain("TypeScript");
    const commits = await fetch(`${server.url}/ai/github/commits?limit=3`, { headers: { "x-api-key": key } });
    expect(commits.status).toBe(200);
    expect(((await commits.json()) as { items: unknown[] }).items).toHaveLength(3);
  });
});
