import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { systemActor } from "@/server/core/auth/actor";
import { createApiKey } from "@/server/core/auth/key-store";
import type { RateLimits, Scope } from "@/server/core/auth/permissions";
import { createDeps, nearCacheOf, type Deps } from "@/server/deps";
import { closeProcessQueue } from "@/server/jobs/runner";
import { scratchPostgres } from "./scratch-db";
import { testDatabaseUrl, testRedisUrl } from "./services";

/**
 * A data folder of its own: what the app keeps beside its database (the local audit archive and its
 * checkpoints, generated secrets) must not be shared with another database's tests, nor outlive a run.
 */
const dataDir = () => mkdtempSync(path.join(tmpdir(), "oo-test-data-"));

/** Deps on the test services (or the embedded defaults), one set per test file. */
export async function testDeps(envOverrides: Record<string, string> = {}): Promise<Deps> {
  const url = testDatabaseUrl();
  const redisUrl = testRedisUrl();
  // the test files on the shared database are instances of one deployment: one audit signing key
  const env = parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir(), AUDIT_SIGNING_KEY: "hmac:shared-test-database", ...envOverrides });
  return createDeps({ env, database: url ? { url } : { memory: true }, kv: createKeyValueStore({ redisUrl, nearCache: nearCacheOf(env) }) });
}

export async function closeDeps(deps: Deps) {
  await closeProcessQueue(deps);
  await deps.database.close();
  await deps.kv.close();
}

/** A fresh client with a key of these scopes; the client id is unique so tests never collide. */
/** Without `ownerEmail` the key is owned by nobody (as a CLI key of old): its intents can never be approved. */
export async function makeKey(deps: Deps, scopes: Scope[], opts: { expiresAt?: Date; rateLimits?: Partial<RateLimits>; clientId?: string; ownerEmail?: string } = {}) {
  const clientId = opts.clientId ?? `test-${randomUUID().slice(0, 8)}`;
  const { key, record } = await createApiKey(
    deps.audit,
    { actor: systemActor("test"), requestId: randomUUID(), surface: "system" },
    {
      clientId,
      scopes,
      expiresAt: opts.expiresAt ?? null,
      rateLimits: opts.rateLimits ?? null,
      ownerEmail: opts.ownerEmail ?? null,
    },
  );
  return { key, record, clientId };
}

/**
 * A database of its own for a test that must own the whole audit chain (or tamper with it):
 * a fresh database on the test server, or an in-memory PGlite when there is none.
 */
export async function scratchDeps(): Promise<{ deps: Deps; drop: () => Promise<void> }> {
  const scratch = await scratchPostgres("test_scratch");
  const deps = await createDeps({ env: parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir() }), database: scratch ? { url: scratch.url } : { memory: true }, kv: createKeyValueStore({}) });
  return {
    deps,
    drop: async () => {
      await closeDeps(deps);
      await scratch?.drop();
    },
  };
}
