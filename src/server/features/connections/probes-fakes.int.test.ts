import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { handleCron } from "@/server/api/cron";
import { handleMap } from "@/server/api/maps";
import { handlePrometheus } from "@/server/api/prometheus";
import { handleRest } from "@/server/api/rest";
import { createDeps, setDeps, type Deps } from "@/server/deps";
import { runProbeJob } from "@/server/features/connections/probe-run";
import { startGitHubFake, startOpenAiFake, startPineconeFake } from "../../../../tests/fakes/apis";
import { startCloudwaysFake, type CloudwaysFake } from "../../../../tests/fakes/cloudways";
import type { FakeServer } from "../../../../tests/fakes/http";
import { startSmtpFake, type SmtpFake } from "../../../../tests/fakes/smtp";
import { startWordPressFake, type WordPressFake } from "../../../../tests/fakes/wordpress";
import { closeDeps, makeKey } from "../../../../tests/support/deps";
import { scratchDatabase } from "../../../../tests/support/scratch-db";
import { listConnections } from "./service";

/**
 * Every outside connection's probe against its local fake (GitHub, OpenAI, Pinecone, Cloudways, two
 * WordPress sites, SMTP; Slack configured-only): up with what each reports, then each failing the way
 * the real service does (429, 503, a hang, an expired token, a refused connection), within the probe
 * timeout, with no secret in any answer; and the outputs built on them (map, Prometheus, cron, metrics).
 */
/** The probe deadline while the fakes misbehave; while they answer, a generous one (a loaded machine is slow to start). */
const TIMEOUT_MS = 2_000;
const RELAXED_TIMEOUT_MS = 15_000;
const SECRETS = {
  github: "ghp_fakeGithubToken0123456789",
  openai: "sk-fake-openai-key-0123456789",
  pinecone: "pc-fake-key-0123456789",
  cwKey: "cw-fake-api-key-0123456789",
  wpPassword: "abcd EFGH ijkl MNOP qrst UVWX",
  smtp: "smtp-pass-0123456789",
  slack: "SlackHookSecret0123456789",
  cron: "cron-secret-0123456789",
};

describe("probes against the local fakes", () => {
  let deps: Deps;
  let drop: () => Promise<void>;
  let key: string;
  let github: FakeServer & { remaining: number };
  let openai: FakeServer & { baseUrl: string };
  let pinecone: FakeServer;
  let cloudways: CloudwaysFake;
  let wp: WordPressFake;
  let smtp: SmtpFake;

  const byId = (results: { id: string }[]) => Object.fromEntries(results.map((r) => [r.id, r])) as Record<string, Awaited<ReturnType<typeof runProbeJob>>["results"][number]>;
  const deadline = (ms: number) => ((deps.env as { PROBE_TIMEOUT_MS: number }).PROBE_TIMEOUT_MS = ms);
  const req = (path: string, headers: Record<string, string> = { "x-api-key": key }) => new Request(`http://localhost${path}`, { headers });

  beforeAll(async () => {
    github = await startGitHubFake({ token: SECRETS.github });
    openai = await startOpenAiFake({ apiKey: SECRETS.openai });
    pinecone = await startPineconeFake({ apiKey: SECRETS.pinecone, index: "repo-index" });
    cloudways = await startCloudwaysFake({ email: "ops@example.com", apiKey: SECRETS.cwKey });
    wp = await startWordPressFake();
    wp.addSite("main", { appPassword: SECRETS.wpPassword, critical: new Set(["https-status"]) });
    wp.addSite("blog");
    smtp = await startSmtpFake();
    const db = await scratchDatabase();
    drop = db.drop;
    deps = await createDeps({
      env: parseEnv({
        NODE_ENV: "test",
        PROBE_TIMEOUT_MS: String(RELAXED_TIMEOUT_MS),
        GITHUB_TOKEN: SECRETS.github,
        GITHUB_API_URL: github.url,
        OPENAI_API_KEY: SECRETS.openai,
        OPENAI_BASE_URL: openai.baseUrl,
        PINECONE_API_KEY: SECRETS.pinecone,
        PINECONE_INDEX: "repo-index",
        PINECONE_API_URL: pinecone.url,
        CW_EMAIL: "ops@example.com",
        CW_API_KEY: SECRETS.cwKey,
        CW_API_URL: cloudways.baseUrl,
        WP_REST_ENDPOINT: `${wp.siteUrl("main")}/wp-json/`,
        WP_USER: "ops",
        WP_APP_PASSWORD: SECRETS.wpPassword,
        WP_SITES: `blog=${wp.siteUrl("blog")}`,
        SLACK_WEBHOOK_URL: `https://hooks.slack.com/services/T000/B000/${SECRETS.slack}`,
        SMTP_URL: `smtp://mailer:${SECRETS.smtp}@127.0.0.1:${smtp.port}`,
        CRON_SECRET: SECRETS.cron,
      }),
      database: db.config,
      // the shared Redis would share the probe lock with other test files; this file owns its own store
      kv: createKeyValueStore({}),
    });
    setDeps(deps);
    ({ key } = await makeKey(deps, ["metrics:read", "hosting:read"]));
  });

  afterAll(async () => {
    await closeDeps(deps);
    await Promise.all([github, openai, pinecone, cloudways, wp].map((f) => f?.close()));
    await smtp?.close();
    await drop?.();
  });

  it("probes each connection once, all at once, and reports what each service said", async () => {
    const run = await runProbeJob(deps, { trigger: "refresh" });
    const r = byId(run.results);
    expect(Object.keys(r).sort()).toEqual(["cloudways", "database", "github", "openai", "pinecone", "slack", "smtp", "store", "wordpress", "wordpress-blog"]);
    for (const id of ["cloudways", "database", "github", "openai", "pinecone", "smtp", "store", "wordpress", "wordpress-blog"])
      expect(r[id], `${id}: ${r[id]?.error}`).toMatchObject({ state: "up", error: null });
    expect(r.slack).toMatchObject({ state: "unchecked" });
    expect(r.github!.details).toMatchObject({ limit: 5000, remaining: 4990, scopes: "repo, read:org" });
    expect(r.openai!.details).toMatchObject({ models: 3 });
    expect(r.pinecone!.details).toMatchObject({ index: "repo-index", totalVectorCount: 4600, namespaces: 2, state: "Ready" });
    expect(r.cloudways!.details).toMatchObject({ servers: 2, apps: 3, notRunning: [] });
    expect(r.wordpress!.details).toMatchObject({ site: "Fake site main", siteHealth: { checked: true, good: 5, critical: 1 } });
    expect(r.wordpress!.details!.warnings).toEqual([expect.stringMatching(/^Site Health: /)]);
    expect(r["wordpress-blog"]!.details).toMatchObject({ siteHealth: { checked: false, reason: "no application password configured" } });
    expect(r.smtp!.details).toMatchObject({ greeting: smtp.greeting, tls: false });
    expect(run.changes).toEqual([]);
    expect(wp.requests.filter((p) => p.includes("/main/wp-json/wp-site-health/v1/tests/")).length).toBeGreaterThanOrEqual(6);
  });

  it("shows what each is configured with, never a secret", async () => {
    const list = await listConnections(deps);
    const text = JSON.stringify(list);
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
    const config = Object.fromEntries(list.connections.map((c) => [c.id, c.config]));
    expect(config.github).toMatchObject({ api: github.url, auth: "token" });
    expect(config.cloudways).toMatchObject({ auth: "email + API key (ops@example.com)" });
    expect(config.wordpress).toMatchObject({ url: wp.siteUrl("main"), siteHealth: "application password" });
    expect(config.smtp).toMatchObject({ server: `127.0.0.1:${smtp.port}`, user: "mailer" });
    expect(config.slack).toEqual({ webhook: "hooks.slack.com/…" });
    expect(list.connections.find((c) => c.id === "wordpress")!.warnings).toHaveLength(1);
  });

  it("says down for 429, 503, a hang, a refused connection and a site error, within the timeout, without secrets", async () => {
    github.mode = "rate_limited";
    openai.mode = "down";
    pinecone.mode = "hang";
    wp.sites.get("main")!.down = true;
    wp.sites.get("blog")!.slowMs = TIMEOUT_MS * 3;
    await smtp.close();
    cloudways.expireTokens(); // an expired token is renewed, not an outage
    deadline(TIMEOUT_MS);
    const run = await runProbeJob(deps, { trigger: "refresh" });
    const r = byId(run.results);
    expect(run.durationMs).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(r.github).toMatchObject({ state: "down", error: expect.stringMatching(/429|rate limit|Too Many/i) });
    expect(r.openai).toMatchObject({ state: "down", error: expect.stringContaining("503") });
    expect(r.pinecone).toMatchObject({ state: "down", error: `no answer within ${TIMEOUT_MS} ms` });
    expect(r["wordpress-blog"]).toMatchObject({ state: "down", error: `no answer within ${TIMEOUT_MS} ms` });
    expect(r.wordpress).toMatchObject({ state: "down", error: expect.stringContaining("503") });
    expect(r.smtp).toMatchObject({ state: "down", error: expect.stringContaining("ECONNREFUSED") });
    expect(r.cloudways).toMatchObject({ state: "up" });
    for (const res of run.results) expect(res.latencyMs!, res.id).toBeLessThan(TIMEOUT_MS + 200);
    expect(run.changes.map((c) => c.id).sort()).toEqual(["github", "openai", "pinecone", "smtp", "wordpress", "wordpress-blog"]);
    expect(JSON.stringify(run.results)).not.toMatch(new RegExp(Object.values(SECRETS).join("|")));

    const list = await listConnections(deps);
    expect(list.status).toBe("degraded");
    expect(list.connections.find((c) => c.id === "wordpress")).toMatchObject({ state: "down", uptime: { h24: { probes: 2, down: 1, pct: 50 } } });
  });

  it("serves the outage on /maps/connections.json, /api/metrics and /ai/metrics", async () => {
    const map = await handleMap(req("/maps/connections.json"), "connections.json");
    expect(map.status).toBe(200);
    const body = (await map.json()) as { status: string; results: { id: string; status: string; check: string }[]; edges: { to: string; state: string }[] };
    expect(body.status).toBe("degraded");
    expect(body.results.find((x) => x.id === "wordpress")).toMatchObject({ status: expect.stringMatching(/^err: .*503/), check: "GET /wp-json/ and Site Health tests" });
    expect(body.results.find((x) => x.id === "cloudways")).toMatchObject({ status: "ok" });
    expect(body.edges.find((e) => e.to === "pinecone")).toEqual({ from: "orchestrator", to: "pinecone", state: "down" });
    expect((await handleMap(req("/maps/connections.json", {}), "connections.json")).status).toBe(401);

    const prom = await handlePrometheus(req("/api/metrics"));
    expect(prom.status).toBe(200);
    const text = await prom.text();
    expect(text).toMatch(/^oo_connection_up\{connection="wordpress"\} 0$/m);
    expect(text).toMatch(/^oo_connection_up\{connection="cloudways"\} 1$/m);
    expect(text).toMatch(/^oo_connection_uptime_ratio\{connection="wordpress",window="24h"\} 0\.5$/m);
    expect(text).not.toMatch(/connection="slack"/);

    const metrics = await handleRest(req("/ai/metrics?windowMinutes=15"));
    expect(metrics.status).toBe(200);
    const m = (await metrics.json()) as { window: { minutes: number }; connections: { id: string; uptimePct: { h24: number | null; d90: number | null }; latency: unknown[] }[] };
    expect(m.window.minutes).toBe(15);
    expect(m.connections.find((c) => c.id === "wordpress")).toMatchObject({ uptimePct: { h24: 50, d90: 50 } });
    expect(m.connections.find((c) => c.id === "wordpress")!.latency).toHaveLength(24);
    expect((await handleRest(req("/ai/metrics?windowMinutes=0"))).status).toBe(400);

    const history = await handleRest(req("/ai/connections/wordpress/history"));
    expect(history.status).toBe(200);
    const h = (await history.json()) as { latency: { avgMs: number | null; down: number }[]; days: { day: string; pct: number | null; probes: number }[] };
    expect(h.latency).toHaveLength(144);
    expect(h.latency.filter((p) => p.avgMs !== null).length).toBeGreaterThanOrEqual(1);
    expect(h.latency.reduce((n, p) => n + p.down, 0)).toBe(1);
    expect(h.days).toHaveLength(90);
    expect(h.days.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), pct: 50, probes: 2 });
    expect(h.days[0]).toMatchObject({ pct: null, probes: 0 }); // no data is not 100 %
    expect((await handleRest(req("/ai/connections/nope/history"))).status).toBe(404);
  });

  it("runs the probe job from /api/cron/probe with the cron secret only, and audits the recovery", async () => {
    github.mode = "ok";
    openai.mode = "ok";
    pinecone.mode = "ok";
    wp.sites.get("main")!.down = false;
    wp.sites.get("blog")!.slowMs = 0;
    deadline(RELAXED_TIMEOUT_MS);
    expect((await handleCron(req("/api/cron/probe", {}), "probe")).status).toBe(401);
    expect((await handleCron(req("/api/cron/probe", { authorization: "Bearer wrong" }), "probe")).status).toBe(401);
    const res = await handleCron(req("/api/cron/probe", { authorization: `Bearer ${SECRETS.cron}` }), "probe");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { job: string; mode: string; outcome: string; result: { ran: boolean; changes: { id: string; to: string }[] } };
    expect(body).toMatchObject({ job: "probe", mode: "ran", outcome: "succeeded", result: { ran: true } });
    expect(body.result.changes.map((c) => `${c.id}:${c.to}`).sort()).toEqual(["github:up", "openai:up", "pinecone:up", "wordpress-blog:up", "wordpress:up"]);
    const audited = await deps.db.auditEvent.findMany({ where: { resourceType: "connection", target: "wordpress" }, orderBy: { seq: "asc" } });
    expect(audited.map((e) => e.action)).toEqual(["connection.down", "connection.up"]);
    expect(audited[0]!.detail).toMatchObject({ from: "up", to: "down", error: expect.stringContaining("503") });
  });

  it("serves /ai/cloudways/* and /ai/wordpress/* from the fakes with hosting:read only", async () => {
    const json = async (path: string, status = 200) => {
      const res = await handleRest(req(path));
      const text = await res.text();
      expect(res.status, `${path}: ${text}`).toBe(status);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const servers = (await json("/ai/cloudways/servers")).servers as { id: string; label: string; apps: { label: string }[] }[];
    expect(servers.map((x) => [x.id, x.label, x.apps.length])).toEqual([
      ["101", "production", 2],
      ["102", "staging", 1],
    ]);
    const services = (await json("/ai/cloudways/servers/101/services")).services as { name: string; status: string }[];
    expect(services.length).toBeGreaterThan(0);
    expect(services.every((x) => typeof x.status === "string")).toBe(true);
    const monitoring = await json("/ai/cloudways/servers/101/monitoring?type=bw");
    expect(monitoring).toMatchObject({
      serverId: "101",
      type: "bw",
      items: [
        { name: "shop", value: 1200 },
        { name: "blog", value: 2400 },
      ],
    });
    await json("/ai/cloudways/servers/abc/services", 400);

    const sites = (await json("/ai/wordpress/sites")).sites as { id: string; siteHealthChecked: boolean; state: string }[];
    expect(sites.map((x) => [x.id, x.siteHealthChecked])).toEqual([
      ["wordpress", true],
      ["wordpress-blog", false],
    ]);
    const health = await json("/ai/wordpress/sites/wordpress/health");
    expect(health).toMatchObject({ id: "wordpress", name: "Fake site main" });
    expect((health.siteHealth as { test: string; status: string }[]).find((t) => t.test === "https-status")?.status).toBe("critical");
    await json("/ai/wordpress/sites/nope/health", 404);
    expect(JSON.stringify([servers, health])).not.toMatch(new RegExp(Object.values(SECRETS).join("|")));

    const { key: metricsOnly } = await makeKey(deps, ["metrics:read"]);
    expect((await handleRest(req("/ai/cloudways/servers", { "x-api-key": metricsOnly }))).status).toBe(403);
    expect((await handleRest(req("/ai/wordpress/sites", { "x-api-key": metricsOnly }))).status).toBe(403);
  });
});
