import type { Env } from "@/env";
import type { FetchLike } from "../http-client";
import { createWordPressSite } from "./http";
import type { WordPressSite, WordPressSiteConfig } from "./types";

export type { WordPressSite, WordPressSiteConfig, SiteHealthResult, WordPressDiscovery } from "./types";
export { SITE_HEALTH_TESTS, WordPressError } from "./types";
export { createWordPressSite };

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/i;

/** The site root from a configured endpoint: "https://x/wp-json/wp/v2" and "https://x/" both give "https://x". */
export function siteRoot(endpoint: string): string {
  const u = new URL(endpoint);
  const at = u.pathname.indexOf("/wp-json");
  u.pathname = at >= 0 ? u.pathname.slice(0, at) : u.pathname;
  u.search = "";
  u.hash = "";
  u.username = "";
  u.password = "";
  return u.toString().replace(/\/+$/, "");
}

/**
 * Sites from WP_REST_ENDPOINT (+ WP_USER / WP_APP_PASSWORD) and WP_SITES
 * (`name=https://user:app-password@host/path,...`; credentials in the URL, percent-encoded).
 */
export function parseWordPressSites(e: Pick<Env, "WP_REST_ENDPOINT" | "WP_USER" | "WP_APP_PASSWORD" | "WP_SITES">): WordPressSiteConfig[] {
  const sites: WordPressSiteConfig[] = [];
  if (e.WP_REST_ENDPOINT) {
    sites.push({ id: "wordpress", name: new URL(e.WP_REST_ENDPOINT).host, url: siteRoot(e.WP_REST_ENDPOINT), user: e.WP_USER, appPassword: e.WP_APP_PASSWORD });
  }
  for (const entry of (e.WP_SITES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq).trim();
    const raw = entry.slice(eq + 1).trim();
    if (eq < 1 || !NAME.test(name)) throw new Error(`WP_SITES: "${entry.slice(0, 60)}" must look like name=https://host (name: letters, digits, dashes)`);
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error(`WP_SITES: the URL of "${name}" is not valid`);
    }
    if (sites.some((s) => s.id === `wordpress-${name}`)) throw new Error(`WP_SITES: "${name}" is listed twice`);
    sites.push({
      id: `wordpress-${name}`,
      name,
      url: siteRoot(raw),
      user: u.username ? decodeURIComponent(u.username) : undefined,
      appPassword: u.password ? decodeURIComponent(u.password) : undefined,
    });
  }
  return sites;
}

export function wordpressFromEnv(e: Env, opts: { fetchImpl?: FetchLike } = {}): WordPressSite[] {
  return parseWordPressSites(e).map((cfg) => createWordPressSite(cfg, { timeoutMs: e.PROBE_TIMEOUT_MS * 2, fetchImpl: opts.fetchImpl }));
}
