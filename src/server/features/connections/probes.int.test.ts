import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { readMigrations } from "@/server/adapters/db/migrate";
import { createKeyValueStore } from "@/server/adapters/kv";
import { handleRest } from "@/server/api/rest";
import { createDeps, setDeps, type Deps } from "@/server/deps";
import { getStatus } from "@/server/features/status/service";
import { runProbeJob } from "@/server/features/connections/probe-run";
import { closeDeps, makeKey } from "../../../../tests/support/deps";
import { startPrivateRedis, type PrivateRedis } from "../../../../tests/support/private-redis";
import { scratchDatabase } from "../../../../tests/support/scratch-db";
import { DAY_MS } from "./rollup";
import { connectionRegistry } from "./registry";
import { runProbe } from "./runner";
import { listConnections } from "./service";
import { pruneProbes, saveResults } from "./store";

/**
 * The database and store probes against the real Postgres and a real Redis of this test's own,
 * which is killed mid-test (the shared Redis is never touched): the store probe says down within
 * its timeout, what does not need Redis keeps answering, the status says degraded, and the outage
 * and the recovery are audited once each.
 */
const TIMEOUT_MS = 1_000;

describe("probes against real Postgres and Redis, with Redis stopped mid-test", () => {
  let redis: PrivateRedis;
  let deps: Deps;
  let drop: () => Promise<void>;
  let key: string;

  const get = async (path: string) => {
    const t = performance.now();
    const res = await handleRest(new Request(`http://localhost${path}`, { headers: { "x-api-key": key } }));
    return { status: res.status, ms: performance.now() - t, body: (await res.json()) as Record<string, unknown> };
  };
  const def = (id: string) => connectionRegistry(deps).find((d) => d.id === id)!;
  const auditedChanges = () => deps.db.auditEvent.findMany({ where: { resourceType: "connection", action: { in: ["connection.down", "connection.up"] } }, orderBy: { seq: "asc" } });

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const db = await scratchDatabase();
    drop = db.drop;
    deps = await createDeps({
      env: parseEnv({ NODE_ENV: "test", REDIS_URL: redis.url, PROBE_TIMEOUT_MS: String(TIMEOUT_MS) }),
      database: db.config,
      kv: createKeyValueStore({ redisUrl: redis.url }),
    });
    setDeps(deps);
    ({ key } = await makeKey(deps, ["metrics:read", "audit:read"]));
  });

  afterAll(async () => {
    await closeDeps(deps);
    await redis?.stop();
    await drop?.();
  });

  it("probes Postgres: a round trip and the migration state, nothing pending", async () => {
    const r = await runProbe(def("database"), TIMEOUT_MS);
    const onDisk = (await readMigrations()).map((m) => m.name);
    expect(r).toMatchObject({ id: "database", kind: "postgres", state: "up", error: null });
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.details).toMatchObject({ migrationsApplied: onDisk.length, latestMigration: onDisk.at(-1), pendingMigrations: [], failedMigrations: [] });
  });

  it("probes Redis with a PING and shows where it is, without secrets", async () => {
    const r = await runProbe(def("store"), TIMEOUT_MS);
    expect(r).toMatchObject({ id: "store", kind: "redis", state: "up", error: null });
    expect(def("store").config).toEqual({ url: `redis://127.0.0.1:${redis.port}` });
  });

  it("records a first run with both up: status ok, no state change audited", async () => {
    const run = await runProbeJob(deps, { trigger: "refresh" });
    expect(run.ran).toBe(true);
    expect(run.results.map((r) => [r.id, r.state]).sort()).toEqual([
      ["database", "up"],
      ["store", "up"],
    ]);
    expect(run.changes).toEqual([]);
    const list = await listConnections(deps);
    expect(list.status).toBe("ok");
    expect(list.connections.find((c) => c.id === "wordpress")).toMatchObject({ state: "not_configured", configured: false });
    expect(await auditedChanges()).toHaveLength(0);
  });

  it("says down within its timeout when Redis dies; the app keeps serving and says degraded", async () => {
    await redis.kill();

    const started = performance.now();
    const probe = await runProbe(def("store"), TIMEOUT_MS);
    const elapsed = performance.now() - started;
    expect(probe.state).toBe("down");
    expect(probe.error).toBeTruthy();
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 750); // the deadline itself, plus event-loop lag on a loaded machine

    // the scheduled job runs without its shared lock, and still records and audits the outage
    const run = await runProbeJob(deps, { trigger: "refresh" });
    expect(run.ran).toBe(true);
    expect(run.durationMs).toBeLessThan(TIMEOUT_MS + 3_000);
    expect(Object.fromEntries(run.results.map((r) => [r.id, r.state]))).toEqual({ database: "up", store: "down" });
    expect(run.changes).toEqual([{ id: "store", to: "down" }]);
    const [down, ...rest] = await auditedChanges();
    expect(rest).toHaveLength(0);
    expect(down).toMatchObject({ action: "connection.down", target: "store", outcome: "failure", actorId: "probe" });
    expect((down!.detail as { from: string }).from).toBe("up");

    // procedures that need only Postgres still answer, within the store's command timeout (2 s) and a margin, and say degraded
    const status = await get("/ai/status");
    expect(status.status).toBe(200);
    expect(status.body.status).toBe("degraded");
    const conns = status.body.connections as { name: string; state: string }[];
    expect(conns.find((c) => c.name === "database")?.state).toBe("up");
    expect(conns.find((c) => c.name === "store")?.state).toBe("down");
    const list = await get("/ai/connections");
    expect(list.status).toBe(200);
    expect(list.body.status).toBe("degraded");
    expect((list.body.connections as { id: string; state: string; error: string | null }[]).find((c) => c.id === "store")).toMatchObject({ state: "down", error: expect.any(String) });
    const changes = await get("/ai/connections/changes?limit=5");
    expect(changes.status).toBe(200);
    expect((changes.body.items as { connection: string; to: string }[])[0]).toMatchObject({ connection: "store", to: "down" });
    const audit = await get("/ai/audit?action=connection.");
    expect(audit.status).toBe(200);
    for (const r of [status, list, changes, audit]) expect(r.ms).toBeLessThan(8_000);
    expect((await getStatus(deps)).status).toBe("degraded");
  });

  it("says up again when Redis is back, and audits the recovery once", async () => {
    await redis.start();
    const deadline = Date.now() + 15_000;
    while ((await runProbe(def("store"), TIMEOUT_MS)).state !== "up") {
      if (Date.now() > deadline) throw new Error("the store probe did not see Redis come back");
      await new Promise((r) => setTimeout(r, 200));
    }
    const run = await runProbeJob(deps, { trigger: "refresh" });
    expect(run.changes).toEqual([{ id: "store", to: "up" }]);
    const again = await runProbeJob(deps, { trigger: "refresh" });
    expect(again.changes).toEqual([]);
    expect((await auditedChanges()).map((e) => `${e.target}:${e.action}`)).toEqual(["store:connection.down", "store:connection.up"]);
    const list = await listConnections(deps);
    expect(list.status).toBe("ok");
    const store = list.connections.find((c) => c.id === "store")!;
    expect(store.uptime.h24.down).toBe(1);
    expect(store.uptime.h24.probes).toBe(4);
    expect(store.uptime.h24.pct).toBe(75);
    expect(store.lastDownAt).not.toBeNull();
  });

  it("keeps raw results and minute buckets a day and hour buckets 90 days, in Postgres", async () => {
    const now = new Date();
    const at = (msAgo: number) => ({ id: "prune-check", kind: "fake", at: new Date(now.getTime() - msAgo), state: "up" as const, latencyMs: 5, error: null, details: null });
    await saveResults(deps.db, "prune-run", [at(60_000), at(2 * DAY_MS), at(91 * DAY_MS)]);
    const count = async () => {
      const [raw, minute, hour] = await Promise.all([
        deps.db.probeResult.count({ where: { connectionId: "prune-check" } }),
        deps.db.probeRollup.count({ where: { connectionId: "prune-check", resolution: "minute" } }),
        deps.db.probeRollup.count({ where: { connectionId: "prune-check", resolution: "hour" } }),
      ]);
      return { raw, minute, hour };
    };
    expect(await count()).toEqual({ raw: 3, minute: 3, hour: 3 });
    await pruneProbes(deps.db, now);
    expect(await count()).toEqual({ raw: 1, minute: 1, hour: 2 });
  });
});
