import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { systemActor } from "@/server/core/auth/actor";
import { SnapshotCache } from "@/server/core/snapshot";
import { createDeps, type Deps } from "@/server/deps";
import { listServers, serverMonitoring, serverServices } from "@/server/features/cloudways/service";
import { listSites, siteHealth } from "@/server/features/wordpress/service";
import { startCloudwaysFake, type CloudwaysFake } from "../../../../tests/fakes/cloudways";
import { startWordPressFake, type WordPressFake } from "../../../../tests/fakes/wordpress";
import { closeDeps } from "../../../../tests/support/deps";
import { scratchDatabase } from "../../../../tests/support/scratch-db";
import { getStatus } from "@/server/features/status/service";
import { runProbeJob } from "./probe-run";
import { refreshConnections, sharedConnectionHistory, sharedConnections } from "./service";

/**
 * What the connections' reads share between callers (the list, a connection's history, what Cloudways
 * and a WordPress site answered) is reused for a short while, and forgotten when the probes learn
 * something newer: a probe run (the schedule's, or a refresh) and POST /ai/connections/refresh make
 * the next read show it. Against the local fakes of Cloudways and WordPress; the snapshots' clock is
 * stopped, so nothing here depends on how fast the machine is.
 */
const WP_PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX";

describe("the connections' snapshots and the providers' cached answers", () => {
  let deps: Deps;
  let drop: () => Promise<void>;
  let cloudways: CloudwaysFake;
  let wp: WordPressFake;
  const calls = (fake: { requests: string[] }, path: string) => fake.requests.filter((r) => r === `GET ${path}`).length;

  beforeAll(async () => {
    cloudways = await startCloudwaysFake({ email: "ops@example.com", apiKey: "cw-key" });
    wp = await startWordPressFake();
    wp.addSite("main", { appPassword: WP_PASSWORD });
    const db = await scratchDatabase();
    drop = db.drop;
    deps = await createDeps({
      env: parseEnv({
        NODE_ENV: "test",
        PROBE_TIMEOUT_MS: "15000",
        CW_EMAIL: "ops@example.com",
        CW_API_KEY: "cw-key",
        CW_API_URL: cloudways.baseUrl,
        WP_REST_ENDPOINT: `${wp.siteUrl("main")}/wp-json/`,
        WP_USER: "ops",
        WP_APP_PASSWORD: WP_PASSWORD,
      }),
      database: db.config,
      // the probe lock lives in the store: this file's own, not the shared Redis
      kv: createKeyValueStore({}),
    });
    // the snapshots' clock stands still: what is kept stays kept however slow the machine, so only a change can forget it
    deps.snapshots = new SnapshotCache(512, () => 1_000);
  });

  afterAll(async () => {
    await closeDeps(deps);
    await Promise.all([cloudways, wp].map((f) => f?.close()));
    await drop?.();
  });

  it("the list shows a probe run's results at the next read, though it was kept just before", async () => {
    const before = await sharedConnections(deps);
    expect(before.connections.find((c) => c.id === "cloudways")).toMatchObject({ state: "unchecked" });
    expect((await sharedConnections(deps)).asOf).toBe(before.asOf); // kept

    await runProbeJob(deps, { trigger: "cron" });
    const after = await sharedConnections(deps);
    expect(after.connections.find((c) => c.id === "cloudways")).toMatchObject({ state: "up" });
    expect(after.lastRunAt).not.toBeNull();
    expect((await listSites(deps)).sites[0]).toMatchObject({ id: "wordpress", state: "up" });
    // filters apply to the shared list
    expect((await sharedConnections(deps, { layer: "hosting" })).connections.map((c) => c.id).sort()).toEqual(["cloudways", "wordpress"]);
  });

  it("a connection's history is kept, and a probe run forgets it", async () => {
    const first = await sharedConnectionHistory(deps, "cloudways");
    expect((await sharedConnectionHistory(deps, "cloudways")).asOf).toBe(first.asOf);
    await runProbeJob(deps, { trigger: "cron" });
    const after = await sharedConnectionHistory(deps, "cloudways");
    expect(after.days.at(-1)).not.toEqual(first.days.at(-1)); // today's cell counts the new probe
    await expect(sharedConnectionHistory(deps, "nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("Cloudways is asked once while its answer is kept; a refresh of the connections asks it again", async () => {
    const server = cloudways.servers[0]!;
    const first = await listServers(deps);
    const asked = calls(cloudways, "/api/v1/server");
    expect(asked).toBeGreaterThan(0);
    server.label = "renamed-on-cloudways";
    const kept = await listServers(deps);
    expect(kept).toEqual(first); // the same answer, with the same asOf
    expect(calls(cloudways, "/api/v1/server")).toBe(asked);

    await refreshConnections(deps, systemActor("test"));
    const fresh = await listServers(deps);
    expect(fresh.servers.find((s) => s.id === server.id)).toMatchObject({ label: "renamed-on-cloudways" });

    // each server's services and monitoring are kept apart, and forgotten the same way
    const services = await serverServices(deps, server.id);
    expect(await serverServices(deps, server.id)).toEqual(services);
    const bw = await serverMonitoring(deps, server.id, "bw");
    const db = await serverMonitoring(deps, server.id, "db");
    expect([bw.type, db.type]).toEqual(["bw", "db"]);
    await runProbeJob(deps, { trigger: "cron" });
    const before = calls(cloudways, "/api/v1/service");
    await serverServices(deps, server.id);
    expect(calls(cloudways, "/api/v1/service")).toBe(before + 1);
  });

  it("the status's check of the connections is kept; a probe run makes the next read check again", async () => {
    const site = wp.sites.get("main")!;
    await runProbeJob(deps, { trigger: "cron" });
    const first = await getStatus(deps);
    expect(first.connections.find((c) => c.name === "wordpress")).toMatchObject({ state: "up" });
    site.down = true;
    try {
      expect((await getStatus(deps)).connections).toEqual(first.connections); // kept: the site is not asked again
      await runProbeJob(deps, { trigger: "cron" });
      const after = await getStatus(deps);
      expect(after.connections.find((c) => c.name === "wordpress")).toMatchObject({ state: "down" });
      expect(after.status).toBe("degraded");
    } finally {
      site.down = false;
    }
  });

  it("a failed answer from Cloudways is not kept", async () => {
    await expect(serverServices(deps, "999")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const asked = calls(cloudways, "/api/v1/service");
    await expect(serverServices(deps, "999")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(calls(cloudways, "/api/v1/service")).toBe(asked + 1);
  });

  it("a WordPress site's health check is kept; a refresh of the connections runs it again", async () => {
    const first = await siteHealth(deps, "wordpress");
    expect(first.siteHealth?.every((t) => t.status === "good")).toBe(true);
    wp.sites.get("main")!.critical.add("https-status");
    expect(await siteHealth(deps, "wordpress")).toEqual(first);

    await refreshConnections(deps, systemActor("test"));
    const fresh = await siteHealth(deps, "wordpress");
    expect(fresh.siteHealth?.find((t) => t.test === "https-status")).toMatchObject({ status: "critical" });
    await expect(siteHealth(deps, "nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
