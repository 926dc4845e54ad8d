import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import type { Deps } from "@/server/deps";
import { systemActor } from "./actor";
import { listApiKeys, revokeApiKey } from "./key-store";

/** The list of keys: newest first, by client, revoked ones on request, page after page without gaps or repeats. */
describe("listApiKeys", () => {
  let deps: Deps;
  const clientId = `list-${randomUUID().slice(0, 8)}`;
  const prefixes: string[] = [];
  beforeAll(async () => {
    deps = await testDeps();
    for (let i = 0; i < 5; i++) prefixes.push((await makeKey(deps, ["audit:read"], { clientId })).record.prefix);
    await revokeApiKey(deps.audit, deps.apiKeyCache, { actor: systemActor("test"), requestId: randomUUID(), surface: "system" }, prefixes[1]!);
  });
  afterAll(async () => closeDeps(deps));

  it("pages through a client's keys newest first, each once", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const { items, nextCursor } = await listApiKeys(deps, { clientId, includeRevoked: true, limit: 2, cursor });
      seen.push(...items.map((k) => k.prefix));
      if (!nextCursor) break;
      cursor = nextCursor;
    }
    expect(seen).toEqual([...prefixes].reverse());
  });

  it("leaves revoked keys out unless asked, and answers views with dates as ISO text", async () => {
    const live = await listApiKeys(deps, { clientId, limit: 50 });
    expect(live.items.map((k) => k.prefix)).toEqual([...prefixes].reverse().filter((p) => p !== prefixes[1]));
    expect(live.nextCursor).toBeNull();
    const all = await listApiKeys(deps, { clientId, includeRevoked: true, limit: 50 });
    const revoked = all.items.find((k) => k.prefix === prefixes[1])!;
    expect(revoked.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(revoked).toMatchObject({ clientId, scopes: ["audit:read"], rateLimits: null, expiresAt: null, createdBy: "system:test" });
    expect(new Date(revoked.createdAt).toISOString()).toBe(revoked.createdAt);
  });

  it("answers nothing after a cursor that names no key", async () => {
    expect(await listApiKeys(deps, { clientId, limit: 10, cursor: randomUUID() })).toEqual({ items: [], nextCursor: null });
  });
});
