/**
 * WordPress sites over their REST API: discovery (`GET /wp-json/`) with its response time, and the
 * Site Health tests (`/wp-json/wp-site-health/v1/tests/<test>`), which need a user with the
 * view_site_health_checks capability, authenticated by an application password (Basic auth).
 */
export interface WordPressSiteConfig {
  /** Connection id: "wordpress" for WP_REST_ENDPOINT, "wordpress-<name>" for WP_SITES entries. */
  id: string;
  name: string;
  /** The site root; the REST API is at <url>/wp-json/. */
  url: string;
  user?: string;
  appPassword?: string;
}

export interface WordPressDiscovery {
  name: string;
  description: string;
  home: string | null;
  namespaces: string[];
  siteHealthAvailable: boolean;
  applicationPasswords: boolean;
}

/** Site Health statuses, plus "error" when a test could not be run (refused, timed out). */
export type SiteHealthStatus = "good" | "recommended" | "critical" | "error";

export interface SiteHealthResult {
  test: string;
  label: string;
  status: SiteHealthStatus;
  /** Badge label (e.g. "Security", "Performance"), when WordPress gave one. */
  badge: string | null;
  error?: string;
}

/** The asynchronous Site Health tests WordPress exposes over REST (page-cache since 6.1). */
export const SITE_HEALTH_TESTS = ["background-updates", "loopback-requests", "https-status", "dotorg-communication", "authorization-header", "page-cache"] as const;

export interface WordPressSite {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly authenticated: boolean;
  discover(signal?: AbortSignal): Promise<{ discovery: WordPressDiscovery; responseMs: number }>;
  siteHealth(signal?: AbortSignal, tests?: readonly string[]): Promise<SiteHealthResult[]>;
}

export type WordPressErrorKind = "unauthorized" | "rate_limited" | "timeout" | "not_wordpress" | "http" | "network";

export class WordPressError extends Error {
  constructor(
    readonly kind: WordPressErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "WordPressError";
  }
}
