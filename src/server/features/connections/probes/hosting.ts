import type { CloudwaysClient } from "@/server/adapters/cloudways";
import type { WordPressSite } from "@/server/adapters/wordpress";
import type { Probe } from "./types";

/** Cloudways: a token (exchanged or long-lived) and the server list; a server not running is a warning. */
export function cloudwaysProbe(client: CloudwaysClient): Probe {
  return async (signal) => {
    const servers = await client.servers(signal);
    const stopped = servers.filter((s) => s.status !== "running");
    return {
      details: {
        servers: servers.length,
        apps: servers.reduce((n, s) => n + s.apps.length, 0),
        notRunning: stopped.map((s) => `${s.label} (${s.status})`),
        tokenExpiresAt: client.tokenExpiresAt()?.toISOString() ?? null,
      },
      warnings: stopped.map((s) => `server ${s.label} is ${s.status}`),
    };
  };
}

/**
 * A WordPress site: /wp-json/ discovery (its response time is the latency) and, with an application
 * password, the Site Health tests. A critical test is a warning, not an outage: the site answers.
 */
export function wordpressProbe(site: WordPressSite): Probe {
  return async (signal) => {
    const { discovery, responseMs } = await site.discover(signal);
    const warnings: string[] = [];
    let siteHealth: Record<string, unknown> | null = null;
    if (!site.authenticated) {
      siteHealth = { checked: false, reason: "no application password configured" };
    } else if (!discovery.siteHealthAvailable) {
      siteHealth = { checked: false, reason: "the site does not expose wp-site-health/v1" };
    } else {
      const tests = await site.siteHealth(signal);
      const count = (s: string) => tests.filter((t) => t.status === s).length;
      siteHealth = { checked: true, good: count("good"), recommended: count("recommended"), critical: count("critical"), error: count("error"), tests };
      for (const t of tests) {
        if (t.status === "critical") warnings.push(`Site Health: ${t.label}`);
        if (t.status === "error") warnings.push(`Site Health test ${t.test} failed: ${t.error ?? "unknown error"}`);
      }
    }
    return {
      latencyMs: responseMs,
      details: { site: discovery.name, home: discovery.home, namespaces: discovery.namespaces.length, applicationPasswords: discovery.applicationPasswords, siteHealth },
      warnings,
    };
  };
}
