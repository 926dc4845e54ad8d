import { WordPressError, type WordPressSite } from "@/server/adapters/wordpress";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import { listConnections } from "@/server/features/connections/service";

/** The configured sites with their latest probe (no outside call). */
export async function listSites(deps: Deps) {
  const list = await listConnections(deps, { layer: "hosting" });
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
  };
}

function siteOf(sites: WordPressSite[], id: string): WordPressSite {
  const site = sites.find((s) => s.id === id || s.name === id);
  if (!site)
    throw new AppError("NOT_FOUND", sites.length ? `No WordPress site "${id}"; configured: ${sites.map((s) => s.id).join(", ")}.` : "No WordPress site is configured (WP_REST_ENDPOINT, WP_SITES).");
  return site;
}

/** Runs discovery and the Site Health tests on one site now. */
export async function siteHealth(sites: WordPressSite[], id: string) {
  const site = siteOf(sites, id);
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
