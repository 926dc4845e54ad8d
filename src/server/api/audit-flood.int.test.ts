import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { createDeps, setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey } from "../../../tests/support/deps";
import { startPrivateRedis, type PrivateRedis } from "../../../tests/support/private-redis";
import { testDatabaseUrl } from "../../../tests/support/services";
import { mcpCall, restCall, sessionUser, trpcCall } from "../../../tests/support/surfaces";
import { operations, type Operation } from "./operations";
import { MAX_TRPC_BATCH } from "./trpc-handler";

/**
 * Nobody without a key can grow the audit log at will: a tRPC batch is capped, a request's refusals are
 * one row however many calls it held, an anonymous caller's input is not stored, and anonymous refusals
 * are audited within a per-IP budget per minute. The counters live in a Redis of this test's own, so the
 * shared anonymous bucket it exhausts is no other test's.
 */
const LIMIT = 25;
let deps: Deps;
let redis: PrivateRedis;
const op = (id: string): Operation => operations.find((o) => o.meta.openapi.operationId === id)!;
const rowsFor = (requestIds: string[]) => deps.db.auditEvent.findMany({ where: { requestId: { in: requestIds } } });

beforeAll(async () => {
  redis = await startPrivateRedis();
  const url = testDatabaseUrl();
  const env = parseEnv({ NODE_ENV: "test", AUDIT_ANONYMOUS_REFUSALS_PER_MINUTE: String(LIMIT), TRUSTED_IP_HEADER: "x-forwarded-for" });
  deps = await createDeps({ env, database: url ? { url } : { memory: true }, kv: createKeyValueStore({ redisUrl: redis.url }) });
  setDeps(deps);
});
afterAll(async () => {
  await closeDeps(deps);
  await redis.stop();
});

/** A fresh client IP, as the trusted proxy appends it after whatever the client claimed. */
const viaProxy = () => ({ "x-forwarded-for": `203.0.113.9, 10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
const calls = (n: number, path = "keys.revoke") => Array.from({ length: n }, () => ({ path, input: { prefix: "oo_whatever" } }));

describe("tRPC batches", () => {
  it(`refuses a batch of more than ${MAX_TRPC_BATCH} calls with 400, running none of them, audited as one row`, async () => {
    const res = await trpcCall(calls(MAX_TRPC_BATCH + 1, "status.whoami"), { headers: viaProxy() });
    expect(res.status).toBe(400);
    const rows = await rowsFor([res.requestId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "trpc.batch", status: 400, outcome: "failure" });
  });

  it("audits a signed-in user's batch of refused calls as one row listing them, with their inputs", async () => {
    const res = await trpcCall(calls(MAX_TRPC_BATCH), { actor: sessionUser("viewer"), mutation: true, headers: viaProxy() });
    expect(res.status).toBe(403);
    const rows = await rowsFor([res.requestId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "trpc.batch", outcome: "denied", status: 403, actorType: "user" });
    expect(rows[0]!.detail).toMatchObject({ calls: MAX_TRPC_BATCH, code: "FORBIDDEN" });
    expect(JSON.stringify(rows[0]!.input)).toContain("oo_whatever");
  });

  it("stores no input of an anonymous refusal, only its size", async () => {
    const res = await trpcCall(calls(MAX_TRPC_BATCH), { mutation: true, headers: viaProxy() });
    expect(res.status).toBe(401);
    const [row] = await rowsFor([res.requestId]);
    expect(row).toMatchObject({ actorType: "anonymous", outcome: "denied", input: null });
    expect(row!.detail).toMatchObject({ calls: MAX_TRPC_BATCH, inputChars: expect.any(Number) });
  });
});

describe("anonymous refusals under a flood", () => {
  it(`1,000 anonymous requests from one client IP over REST, MCP and tRPC add at most ${LIMIT} rows and one notice per minute`, async () => {
    const ip = { "x-forwarded-for": "198.51.100.7, 10.1.2.3" };
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 1_000; i += 25) {
      const wave = Array.from({ length: 25 }, (_, j) => {
        const n = i + j;
        if (n % 3 === 0) return restCall(op("getStatus"), undefined, { headers: ip });
        if (n % 3 === 1) return mcpCall("getStatus", {}, { headers: ip });
        return trpcCall(calls(MAX_TRPC_BATCH), { mutation: true, headers: { "x-forwarded-for": `${n}.0.0.1, 10.1.2.3` } });
      });
      for (const res of await Promise.all(wave)) {
        expect(res.status).toBe(401);
        ids.push(res.requestId);
      }
    }
    const rows = await rowsFor(ids);
    // a flood that straddles a minute boundary gets two windows' budgets
    const windows = Date.now() - started > 60_000 || new Date(started).getUTCMinutes() !== new Date().getUTCMinutes() ? 2 : 1;
    expect(rows.length).toBeLessThanOrEqual(windows * (LIMIT + 1));
    expect(rows.length).toBeGreaterThanOrEqual(LIMIT);
    const notices = rows.filter((r) => r.action === "audit.refusals_suppressed").length;
    expect(notices).toBeGreaterThanOrEqual(1);
    expect(notices).toBeLessThanOrEqual(windows);
    expect(rows.every((r) => r.ip === "10.1.2.3")).toBe(true);
  });

  it("another client IP keeps its own budget, and callers with a key are always audited", async () => {
    const other = await restCall(op("getStatus"), undefined, { headers: { "x-forwarded-for": "10.9.9.9" } });
    expect(await rowsFor([other.requestId])).toHaveLength(1);
    const { key } = await makeKey(deps, ["context:read"]);
    const refused = await restCall(op("listAuditEvents"), {}, { key, headers: { "x-forwarded-for": "10.1.2.3" } });
    expect(refused.status).toBe(403);
    expect(await rowsFor([refused.requestId])).toHaveLength(1);
  });

  it("the legitimate log stays searchable: a real key's write is found by the audit search after the flood", async () => {
    const { key } = await makeKey(deps, ["context:write", "audit:read"]);
    const marker = `flood-${randomUUID().slice(0, 8)}`;
    const put = await restCall(op("putContext"), { scope: "global", key: marker, value: { note: "after the flood" } }, { key });
    expect(put.status, put.text).toBe(200);
    const found = await restCall(op("listAuditEvents"), { q: marker }, { key });
    expect(found.status, found.text).toBe(200);
    const items = (JSON.parse(found.text) as { items: { requestId: string; action: string }[] }).items;
    expect(items.map((e) => e.requestId)).toContain(put.requestId);
  });
});
