import { WordPressError, type WordPressSite } from "@/server/adapters/wordpress";
import { AppError } from "@/server/core/errors";
import type { SnapshotCache } from "@/server/core/snapshot";
import { PROVIDER_MAX_AGE_MS, PROVIDER_SNAPSHOTS } from "@/server/features/connections/snapshots";
import type { Deps } from "@/server/deps";
import { sharedConnections } from "@/server/features/connections/service";

/** Snapshots of the sites' answers; a refresh of the connections forgets them (they start with PROVIDER_SNAPSHOTS). */
export const WORDPRESS_SNAPSHOTS = `${PROVIDER_SNAPSHOTS}wordpress:`;

/** The configured sites with their latest probe (no outside call), from the connections' shared snapshot. */
export async function listSites(deps: Deps) {
  const list = await sharedConnections(deps, { layer: "hosting" });
  const byId = new Map(list.connections.map((c) => [c.id, c]));
  return {
    sites: deps.wordpress.map((s) => {
      const c = byId.get(s.id);
      return {
        id: s.id,
        name: s.name,
        url: s.url,
        siteHealthChecked: s.authenticated,
        state: c?.state ?? "unchecked",
        latencyMs: c?.latencyMs ?? null,
        checkedAt: c?.checkedAt ?? null,
        error: c?.error ?? null,
        warnings: c?.warnings ?? [],
      };
    }),
    asOf: list.asOf,
  };
}

function siteOf(sites: WordPressSite[], id: string): WordPressSite {
  const site = sites.find((s) => s.id === id || s.name === id);
  if (!site)
    throw new AppError("NOT_FOUND", sites.length ? `No WordPress site "${id}"; configured: ${sites.map((s) => s.id).join(", ")}.` : "No WordPress site is configured (WP_REST_ENDPOINT, WP_SITES).");
  return site;
}

/**
 * Discovery and the Site Health tests of one site, run at most once per PROVIDER_MAX_AGE_MS on this
 * instance and shared by the callers meanwhile (a Site Health run is a dozen requests to the site);
 * `asOf` says when it ran. A failure is not kept.
 */
export async function siteHealth(deps: { wordpress: WordPressSite[]; snapshots: SnapshotCache }, id: string) {
  const site = siteOf(deps.wordpress, id);
  const { value, asOf } = await deps.snapshots.get(`${WORDPRESS_SNAPSHOTS}health:${site.id}`, PROVIDER_MAX_AGE_MS, () => checkSite(site));
  return { ...value, asOf: asOf.toISOString() };
}

async function checkSite(site: WordPressSite) {
  try {
    const { discovery, responseMs } = await site.discover();
    const tests = site.authenticated && discovery.siteHealthAvailable ? await site.siteHealth() : null;
    return { id: site.id, url: site.url, responseMs: Math.round(responseMs * 10) / 10, name: discovery.name, namespaces: discovery.namespaces, siteHealth: tests };
  } catch (err) {
    if (!(err instanceof WordPressError)) throw err;
    if (err.kind === "rate_limited") throw new AppError("RATE_LIMITED", `${site.url} is rate limiting us: ${err.message}`, undefined, { "retry-after": "60" });
    console.warn(`[wordpress] ${site.id}: ${err.message}`);
    throw new AppError("UNAVAILABLE", `${site.url}: ${err.message}`);
  }
}
