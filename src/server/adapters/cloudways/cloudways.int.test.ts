import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startCloudwaysFake, type CloudwaysFake } from "../../../../tests/fakes/cloudways";
import { createCloudwaysClient } from "./http";
import { CloudwaysError } from "./types";

/** The Cloudways adapter against the local fake: token exchange and renewal, 401, 429, timeouts, v1/v2 prefixes. */
const EMAIL = "ops@example.com";
const API_KEY = "cw-key-0123456789";
let fake: CloudwaysFake;
let clock = Date.now();

beforeAll(async () => {
  fake = await startCloudwaysFake({ email: EMAIL, apiKey: API_KEY, tokenTtlSeconds: 3600, now: () => clock });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.mode = "ok";
  clock = Date.now();
});

const client = (over: Partial<Parameters<typeof createCloudwaysClient>[0]> = {}) =>
  createCloudwaysClient({ baseUrl: fake.baseUrl, email: EMAIL, apiKey: API_KEY, timeoutMs: 2_000, now: () => clock, ...over });

async function failure(p: Promise<unknown>): Promise<CloudwaysError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CloudwaysError);
  return err as CloudwaysError;
}

describe("Cloudways adapter", () => {
  it("exchanges email + API key for a token once and lists servers with their apps", async () => {
    const c = client();
    const before = fake.tokenRequests;
    const servers = await c.servers();
    await c.servers();
    expect(fake.tokenRequests - before).toBe(1);
    expect(servers.map((s) => s.label)).toEqual(["production", "staging"]);
    expect(servers[0]!.apps.map((a) => a.label)).toEqual(["shop", "blog"]);
    expect(servers[0]).toMatchObject({ id: "101", status: "running", publicIp: "203.0.113.01", fqdn: "production.cloudwaysapps.com" });
    expect(JSON.stringify(servers)).not.toContain("never-shown");
    expect(c.tokenExpiresAt()!.getTime()).toBeGreaterThan(clock);
  });

  it("shares one token request between concurrent calls", async () => {
    const c = client();
    const before = fake.tokenRequests;
    await Promise.all([c.servers(), c.servers(), c.services("101")]);
    expect(fake.tokenRequests - before).toBe(1);
  });

  it("renews the token before it expires", async () => {
    const c = client({ refreshMarginMs: 60_000 });
    await c.servers();
    const before = fake.tokenRequests;
    clock += 3600_000 - 30_000; // inside the margin: renewed, never sent about to lapse
    await c.servers();
    expect(fake.tokenRequests - before).toBe(1);
  });

  it("renews once and retries when the server says the token expired", async () => {
    const c = client();
    await c.servers();
    fake.expireTokens();
    const before = fake.tokenRequests;
    expect(await c.servers()).toHaveLength(2);
    expect(fake.tokenRequests - before).toBe(1);
  });

  it("says unauthorized for wrong credentials, without the key in the message", async () => {
    const err = await failure(client({ apiKey: "wrong-key-123" }).servers());
    expect(err.kind).toBe("unauthorized");
    expect(err.status).toBe(401);
    expect(err.message).not.toContain("wrong-key-123");
  });

  it("uses a long-lived access token as is", async () => {
    const before = fake.tokenRequests;
    const c = createCloudwaysClient({ baseUrl: fake.baseUrl, accessToken: fake.longLivedToken, timeoutMs: 2_000 });
    expect(c.auth).toBe("access_token");
    expect(await c.servers()).toHaveLength(2);
    expect(fake.tokenRequests).toBe(before);
    const bad = await failure(createCloudwaysClient({ baseUrl: fake.baseUrl, accessToken: "revoked", timeoutMs: 2_000 }).servers());
    expect(bad.kind).toBe("unauthorized");
  });

  it("reports 429 as rate_limited with Retry-After", async () => {
    const c = client();
    await c.servers();
    fake.mode = "rate_limited";
    const err = await failure(c.servers());
    expect(err).toMatchObject({ kind: "rate_limited", status: 429, retryAfterSeconds: 30 });
  });

  it("gives up at its timeout when the API hangs", async () => {
    const c = client({ timeoutMs: 300 });
    await c.servers();
    fake.mode = "hang";
    const started = Date.now();
    const err = await failure(c.servers());
    expect(err.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("reads service states (without the *_enabled flags) and monitoring summaries", async () => {
    const c = client();
    const services = await c.services("101");
    expect(services).toContainEqual({ name: "nginx", status: "running" });
    expect(services).toContainEqual({ name: "varnish", status: "stopped" });
    expect(services.some((s) => s.name.endsWith("_enabled"))).toBe(false);
    const bw = await c.monitoringSummary("101", "bw");
    expect(bw).toEqual([expect.objectContaining({ name: "shop", value: 1200 }), expect.objectContaining({ name: "blog", value: 2400 })]);
    expect(bw[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await failure(c.services("999"))).kind).toBe("not_found");
  });

  it("works with another API version's prefix in the base URL", async () => {
    const v2 = await startCloudwaysFake({ email: EMAIL, apiKey: API_KEY, prefix: "/api/v2" });
    try {
      const c = createCloudwaysClient({ baseUrl: `${v2.url}/api/v2/`, email: EMAIL, apiKey: API_KEY });
      expect(await c.servers()).toHaveLength(2);
      expect(v2.requests).toContain("POST /api/v2/oauth/access_token");
    } finally {
      await v2.close();
    }
  });
});
