import { randomBytes } from "node:crypto";
import { bearerOf, sendJson, startFake, type FakeServer } from "./http";

/**
 * A fake of the Cloudways API v1 as documented (https://developers.cloudways.com/docs/):
 *   POST /oauth/access_token  form email, api_key → { access_token, token_type: "Bearer", expires_in }
 *   GET  /server              → { status: true, servers: [{ id, label, status, cloud, region, public_ip, server_fqdn, apps: [...] }] }
 *   GET  /service?server_id=  → { services: { status: { nginx: "running", mysql: ..., varnish_enabled: 1, ... } } }
 *   GET  /server/monitor/summary?server_id=&type=bw|db → { status: true, content: [{ name, type, datapoint: [value, unix] }] }
 * Tokens expire after `tokenTtlSeconds`; an expired or unknown token gets 401 invalid_token.
 * Mounted under `prefix` (default /api/v1) so a base URL with the version works as in production.
 */
export interface CloudwaysFake extends FakeServer {
  baseUrl: string;
  tokenRequests: number;
  /** Makes every token issued so far expired (the server-side clock jumped). */
  expireTokens(): void;
  /** Accepted as a long-lived access token. */
  longLivedToken: string;
  servers: { id: string; label: string; status: string; apps: { id: string; label: string; application: string }[] }[];
}

export async function startCloudwaysFake(cfg: { email: string; apiKey: string; tokenTtlSeconds?: number; prefix?: string; now?: () => number }): Promise<CloudwaysFake> {
  const prefix = cfg.prefix ?? "/api/v1";
  const now = cfg.now ?? Date.now;
  const tokens = new Map<string, number>();
  const state = {
    tokenRequests: 0,
    longLivedToken: `cw_ll_${randomBytes(8).toString("hex")}`,
    servers: [
      {
        id: "101",
        label: "production",
        status: "running",
        apps: [
          { id: "9001", label: "shop", application: "woocommerce" },
          { id: "9002", label: "blog", application: "wordpress" },
        ],
      },
      { id: "102", label: "staging", status: "running", apps: [{ id: "9003", label: "shop-staging", application: "woocommerce" }] },
    ],
  };
  const fake = (await startFake((req, res, body, url) => {
    if (!url.pathname.startsWith(prefix)) return sendJson(res, 404, { error: "not found" });
    const path = url.pathname.slice(prefix.length);
    if (req.method === "POST" && path === "/oauth/access_token") {
      state.tokenRequests += 1;
      const form = new URLSearchParams(body);
      const json = (() => {
        try {
          return JSON.parse(body) as Record<string, string>;
        } catch {
          return {};
        }
      })();
      const email = form.get("email") ?? json.email;
      const apiKey = form.get("api_key") ?? json.api_key;
      if (email !== cfg.email || apiKey !== cfg.apiKey) return sendJson(res, 401, { error: "invalid_credentials", error_description: "The user credentials were incorrect." });
      const token = randomBytes(16).toString("hex");
      const ttl = cfg.tokenTtlSeconds ?? 3600;
      tokens.set(token, now() + ttl * 1000);
      return sendJson(res, 200, { access_token: token, token_type: "Bearer", expires_in: ttl });
    }
    const token = bearerOf(req);
    const valid = token === state.longLivedToken || (token !== null && (tokens.get(token) ?? 0) > now());
    if (!valid) return sendJson(res, 401, { error: "invalid_token", error_description: "The access token provided has expired" });
    if (req.method !== "GET") return sendJson(res, 405, { error: "method not allowed" });
    if (path === "/server") {
      return sendJson(res, 200, {
        status: true,
        servers: state.servers.map((s) => ({
          id: s.id,
          label: s.label,
          status: s.status,
          cloud: "do",
          region: "ams3",
          public_ip: `203.0.113.${s.id.slice(-2)}`,
          server_fqdn: `${s.label}.cloudwaysapps.com`,
          master_password: "never-shown",
          apps: s.apps.map((a) => ({ ...a, app_version: "6.6", app_fqdn: `${a.label}.cloudwaysapps.com`, cname: "", app_password: "never-shown", mysql_password: "never-shown" })),
        })),
      });
    }
    const server = state.servers.find((s) => s.id === url.searchParams.get("server_id"));
    if (path === "/service") {
      if (!server) return sendJson(res, 404, { error: "server not found" });
      return sendJson(res, 200, {
        services: {
          status: {
            apache2: "running",
            nginx: "running",
            mysql: "running",
            memcached: "running",
            varnish: "stopped",
            varnish_enabled: 1,
            "redis-server": "running",
            redis_enabled: 1,
            elasticsearch: "stopped",
            elasticsearch_enabled: 0,
          },
        },
      });
    }
    if (path === "/server/monitor/summary") {
      if (!server) return sendJson(res, 404, { error: "server not found" });
      const ts = Math.floor(now() / 1000);
      return sendJson(res, 200, { status: true, content: server.apps.map((a, i) => ({ name: a.label, type: url.searchParams.get("type") ?? "bw", datapoint: [1200 * (i + 1), ts] })) });
    }
    return sendJson(res, 404, { error: "not found" });
  })) as CloudwaysFake;
  Object.defineProperty(fake, "tokenRequests", { get: () => state.tokenRequests });
  fake.longLivedToken = state.longLivedToken;
  fake.servers = state.servers;
  fake.baseUrl = `${fake.url}${prefix}`;
  fake.expireTokens = () => {
    for (const k of tokens.keys()) tokens.set(k, 0);
  };
  return fake;
}
