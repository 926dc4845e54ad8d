import { fetchWithTimeout, jsonOrNull, retryAfterSeconds, TimeoutError, type FetchLike } from "../http-client";
import { SITE_HEALTH_TESTS, WordPressError, type SiteHealthResult, type SiteHealthStatus, type WordPressSite, type WordPressSiteConfig } from "./types";

const STATUSES = new Set(["good", "recommended", "critical"]);

/** One WordPress site over fetch. */
export function createWordPressSite(cfg: WordPressSiteConfig, opts: { timeoutMs?: number; fetchImpl?: FetchLike } = {}): WordPressSite {
  const root = cfg.url.replace(/\/+$/, "");
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const authenticated = Boolean(cfg.user && cfg.appPassword);
  const headers: Record<string, string> = { accept: "application/json" };
  // Application passwords are shown with spaces; WordPress accepts them with or without.
  if (authenticated) headers.authorization = `Basic ${Buffer.from(`${cfg.user}:${cfg.appPassword}`).toString("base64")}`;

  async function get(path: string, signal?: AbortSignal): Promise<{ res: Response; body: unknown }> {
    let res: Response;
    try {
      res = await fetchWithTimeout(`${root}/wp-json${path}`, { headers, timeoutMs, signal, fetchImpl: opts.fetchImpl });
    } catch (err) {
      if (err instanceof TimeoutError) throw new WordPressError("timeout", err.message);
      throw new WordPressError("network", `${new URL(root).host} unreachable: ${(err as Error).message}`);
    }
    const body = await jsonOrNull(res);
    if (res.ok) return { res, body };
    const message = (body as { message?: string } | null)?.message ?? res.statusText;
    if (res.status === 401 || res.status === 403) throw new WordPressError("unauthorized", `refused (${res.status}): ${message}`, res.status);
    if (res.status === 429) {
      const retry = retryAfterSeconds(res);
      throw new WordPressError("rate_limited", `rate limited${retry !== null ? `; retry in ${retry} s` : ""}`, 429);
    }
    throw new WordPressError("http", `answered ${res.status} to GET /wp-json${path}: ${message}`, res.status);
  }

  return {
    id: cfg.id,
    name: cfg.name,
    url: root,
    authenticated,
    async discover(signal) {
      const started = performance.now();
      const { body } = await get("/", signal);
      const responseMs = performance.now() - started;
      const index = body as { name?: unknown; description?: unknown; home?: unknown; namespaces?: unknown; authentication?: unknown } | null;
      if (!index || !Array.isArray(index.namespaces)) throw new WordPressError("not_wordpress", `${root}/wp-json/ is not a WordPress REST index`);
      const namespaces = index.namespaces.filter((n): n is string => typeof n === "string");
      return {
        responseMs,
        discovery: {
          name: typeof index.name === "string" ? index.name : "",
          description: typeof index.description === "string" ? index.description : "",
          home: typeof index.home === "string" ? index.home : null,
          namespaces,
          siteHealthAvailable: namespaces.includes("wp-site-health/v1"),
          applicationPasswords: Boolean((index.authentication as Record<string, unknown> | undefined)?.["application-passwords"]),
        },
      };
    },
    async siteHealth(signal, tests = SITE_HEALTH_TESTS) {
      return Promise.all(
        tests.map(async (test): Promise<SiteHealthResult> => {
          try {
            const { body } = await get(`/wp-site-health/v1/tests/${test}`, signal);
            const r = (body ?? {}) as { label?: unknown; status?: unknown; badge?: { label?: unknown } };
            const status = typeof r.status === "string" && STATUSES.has(r.status) ? (r.status as SiteHealthStatus) : "error";
            return { test, label: typeof r.label === "string" ? r.label : test, status, badge: typeof r.badge?.label === "string" ? r.badge.label : null };
          } catch (err) {
            if (!(err instanceof WordPressError)) throw err;
            return { test, label: test, status: "error", badge: null, error: err.message };
          }
        }),
      );
    },
  };
}
