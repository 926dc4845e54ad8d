import { fetchWithTimeout, jsonOrNull, retryAfterSeconds, TimeoutError, type FetchLike } from "../http-client";
import { CloudwaysError, type CloudwaysApp, type CloudwaysClient, type CloudwaysServer, type MonitoringItem, type MonitoringType } from "./types";

export interface CloudwaysConfig {
  baseUrl: string;
  email?: string;
  apiKey?: string;
  accessToken?: string;
  /** Per-request deadline, ms. */
  timeoutMs?: number;
  /** A token is renewed this long before it expires, so a request never carries one about to lapse. */
  refreshMarginMs?: number;
  fetchImpl?: FetchLike;
  now?: () => number;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null);

function appOf(raw: Json): CloudwaysApp {
  return {
    id: str(raw.id) ?? "",
    label: str(raw.label) ?? "",
    application: str(raw.application) ?? "unknown",
    version: str(raw.app_version),
    fqdn: str(raw.app_fqdn),
    cname: str(raw.cname),
  };
}

function serverOf(raw: Json): CloudwaysServer {
  return {
    id: str(raw.id) ?? "",
    label: str(raw.label) ?? "",
    status: str(raw.status) ?? "unknown",
    cloud: str(raw.cloud),
    region: str(raw.region),
    publicIp: str(raw.public_ip),
    fqdn: str(raw.server_fqdn),
    apps: Array.isArray(raw.apps) ? (raw.apps as Json[]).map(appOf) : [],
  };
}

/** `datapoint` is `[value, unix seconds]` or a list of such pairs (the latest last); both occur. */
function monitoringItemOf(raw: Json): MonitoringItem {
  let point: unknown = raw.datapoint;
  if (Array.isArray(point) && Array.isArray(point[point.length - 1])) point = point[point.length - 1];
  const [value, ts] = Array.isArray(point) ? point : [raw.value, null];
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  const t = typeof ts === "number" ? ts : typeof ts === "string" ? Number(ts) : NaN;
  return { name: str(raw.name) ?? str(raw.target) ?? "", value: Number.isFinite(n) ? n : null, at: Number.isFinite(t) ? new Date(t * 1000).toISOString() : null };
}

/** The Cloudways REST API over fetch. One instance per process keeps the token it was given. */
export function createCloudwaysClient(cfg: CloudwaysConfig): CloudwaysClient {
  const baseUrl = cfg.baseUrl.replace(/\/+$/, "");
  const timeoutMs = cfg.timeoutMs ?? 10_000;
  const margin = cfg.refreshMarginMs ?? 60_000;
  const now = cfg.now ?? Date.now;
  const auth = cfg.accessToken ? "access_token" : "api_key";
  let token: { value: string; expiresAt: number } | null = null;
  let pending: Promise<string> | null = null;

  async function call(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetchWithTimeout(url, { ...init, timeoutMs, signal, fetchImpl: cfg.fetchImpl });
    } catch (err) {
      if (err instanceof TimeoutError) throw new CloudwaysError("timeout", `Cloudways: ${err.message}`);
      throw new CloudwaysError("network", `Cloudways unreachable: ${(err as Error).message}`);
    }
  }

  function failure(res: Response, body: unknown, what: string): CloudwaysError {
    const detail = (body as { error_description?: string; message?: string; error?: string } | null) ?? {};
    const why = detail.error_description ?? detail.message ?? (typeof detail.error === "string" ? detail.error : res.statusText);
    if (res.status === 401 || res.status === 403) return new CloudwaysError("unauthorized", `Cloudways refused ${what} (${res.status}): ${why}`, res.status);
    if (res.status === 429) {
      const retry = retryAfterSeconds(res);
      return new CloudwaysError("rate_limited", `Cloudways rate limit hit on ${what}${retry !== null ? `; retry in ${retry} s` : ""}`, 429, retry);
    }
    if (res.status === 404) return new CloudwaysError("not_found", `Cloudways: ${what} not found`, 404);
    return new CloudwaysError("http", `Cloudways answered ${res.status} to ${what}: ${why}`, res.status);
  }

  async function fetchToken(signal?: AbortSignal): Promise<string> {
    if (!cfg.email || !cfg.apiKey) throw new CloudwaysError("unauthorized", "Cloudways: set CW_EMAIL and CW_API_KEY, or CW_ACCESS_TOKEN");
    const res = await call(
      `${baseUrl}/oauth/access_token`,
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body: new URLSearchParams({ email: cfg.email, api_key: cfg.apiKey }) },
      signal,
    );
    const body = (await jsonOrNull(res)) as { access_token?: unknown; expires_in?: unknown } | null;
    if (!res.ok) throw failure(res, body, "the token request");
    if (typeof body?.access_token !== "string") throw new CloudwaysError("bad_response", "Cloudways token response had no access_token");
    const ttl = typeof body.expires_in === "number" ? body.expires_in : 3600;
    token = { value: body.access_token, expiresAt: now() + ttl * 1000 };
    return token.value;
  }

  async function bearer(signal?: AbortSignal, force = false): Promise<string> {
    if (cfg.accessToken) return cfg.accessToken;
    if (!force && token && now() < token.expiresAt - margin) return token.value;
    // one token request at a time: concurrent callers share it
    pending ??= fetchToken(signal).finally(() => (pending = null));
    return pending;
  }

  async function get(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Json> {
    const url = `${baseUrl}${path}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ""}`;
    const send = async (force: boolean) => call(url, { headers: { authorization: `Bearer ${await bearer(signal, force)}`, accept: "application/json" } }, signal);
    let res = await send(false);
    // A token the server already considers expired (clock skew, revoked): renew once and retry.
    if (res.status === 401 && auth === "api_key") {
      await res.body?.cancel();
      token = null;
      res = await send(true);
    }
    const body = await jsonOrNull(res);
    if (!res.ok) throw failure(res, body, `GET ${path}`);
    if (!body || typeof body !== "object") throw new CloudwaysError("bad_response", `Cloudways answered GET ${path} with something other than JSON`);
    return body as Json;
  }

  return {
    baseUrl,
    auth,
    async servers(signal) {
      const body = await get("/server", {}, signal);
      if (!Array.isArray(body.servers)) throw new CloudwaysError("bad_response", "Cloudways server list had no `servers` array");
      return (body.servers as Json[]).map(serverOf);
    },
    async services(serverId, signal) {
      const body = await get("/service", { server_id: serverId }, signal);
      const status = ((body.services as Json | undefined)?.status ?? {}) as Json;
      // `*_enabled` flags say whether an optional service is installed; they are not services themselves
      return Object.entries(status)
        .filter(([name, value]) => !name.endsWith("_enabled") && typeof value === "string")
        .map(([name, value]) => ({ name, status: value as string }));
    },
    async monitoringSummary(serverId, type: MonitoringType, signal) {
      const body = await get("/server/monitor/summary", { server_id: serverId, type }, signal);
      const content = Array.isArray(body.content) ? body.content : [];
      return (content as Json[]).map(monitoringItemOf);
    },
    tokenExpiresAt() {
      return token && !cfg.accessToken ? new Date(token.expiresAt) : null;
    },
  };
}
