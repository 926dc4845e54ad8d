import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, makeKey, testDeps } from "../../../../tests/support/deps";
import { testDatabaseUrl } from "../../../../tests/support/services";
import type { Deps } from "@/server/deps";
import { systemActor } from "./actor";
import { revokeApiKey } from "./key-store";
import { authenticateApiKey } from "./resolve";

/** Two app instances on one database: A authenticates (and caches), B revokes. */
describe.skipIf(!testDatabaseUrl())("API key cache across instances", () => {
  let a: Deps;
  let b: Deps;
  beforeAll(async () => {
    a = await testDeps();
    b = await testDeps();
  });
  afterAll(async () => {
    await Promise.all([a, b].map(async (d) => (await d.events.close(), await closeDeps(d))));
  });

  const auth = (deps: Deps, key: string) => authenticateApiKey(deps.db, key, null, { cache: deps.apiKeyCache });

  /** Authenticates until the cache is live and has the key (the first call only starts its subscription). */
  async function warm(deps: Deps, key: string) {
    for (let i = 0; i < 50; i++) {
      await auth(deps, key);
      await sleep(20);
    }
  }

  it("serves a repeated call from the cache (a change made behind its back is not seen)", async () => {
    const { key, record } = await makeKey(a, ["audit:read"]);
    await warm(a, key);
    await a.db.apiKey.update({ where: { prefix: record.prefix }, data: { scopes: ["audit:read", "context:read"] } });
    expect(await auth(a, key)).toMatchObject({ scopes: ["audit:read"] });
    // an uncached instance reads the database
    expect(await authenticateApiKey(b.db, key, null)).toMatchObject({ scopes: ["audit:read", "context:read"] });
  });

  it("a key revoked on another instance stops working on this one within moments", async () => {
    const { key, record } = await makeKey(a, ["audit:read"]);
    await warm(a, key);
    await revokeApiKey(b.audit, b.apiKeyCache, { actor: systemActor("test"), requestId: randomUUID(), surface: "system" }, record.prefix);
    const started = Date.now();
    let refused: unknown = null;
    while (!refused && Date.now() - started < 2_000) {
      refused = await auth(a, key).then(
        () => null,
        (err: unknown) => err,
      );
      if (!refused) await sleep(10);
    }
    expect(refused).toMatchObject({ code: "UNAUTHORIZED", message: "This API key has been revoked." });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("a key revoked on the same instance is refused on the very next call", async () => {
    const { key, record } = await makeKey(a, ["audit:read"]);
    await warm(a, key);
    await revokeApiKey(a.audit, a.apiKeyCache, { actor: systemActor("test"), requestId: randomUUID(), surface: "system" }, record.prefix);
    await expect(auth(a, key)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
