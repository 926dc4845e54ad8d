import type { Rule } from "./types";
import { band, finding, hoursBetween, round1 } from "./types";

/** Connections: down now, flapping, uptime under target, latency up against its own baseline, WordPress Site Health. */
const connectionLinks = (id: string) => ({ dashboard: `/maps#connection-${encodeURIComponent(id)}`, api: `/ai/connections/${encodeURIComponent(id)}/history` });

export const connectionDown: Rule = (s) =>
  s.connections
    .filter((c) => c.state === "down")
    .map((c) => {
      const hours = c.since ? Math.max(0, hoursBetween(c.since, s.now)) : null;
      const lasted = hours === null ? "" : hours < 1 ? ` for ${Math.round(hours * 60)} min` : ` for ${round1(hours)} h`;
      return finding("connection-down", c.id, {
        severity: "critical",
        title: `${c.label} is down`,
        summary: `${c.label} (${c.id}) has been down${lasted}${c.error ? `: ${c.error}` : "."}`,
        action: `Check ${c.id} and its credentials, then run the probes again from the Connections page.`,
        evidence: [
          { label: "state", value: "down", href: connectionLinks(c.id).dashboard },
          ...(c.since ? [{ label: "down since", value: c.since, href: `/ai/connections/changes` }] : []),
          ...(c.error ? [{ label: "last error", value: c.error.slice(0, 200) }] : []),
        ],
        // the length of the outage is not material: a dismissed outage stays dismissed while it lasts
        material: { state: "down", since: c.since },
      });
    });

export const FLAPPING_CHANGES = 4;
export const connectionFlapping: Rule = (s) =>
  s.connections
    .filter((c) => c.changes24h >= FLAPPING_CHANGES)
    .map((c) =>
      finding("connection-flapping", c.id, {
        severity: "warning",
        title: `${c.label} is flapping`,
        summary: `${c.label} (${c.id}) changed between up and down ${c.changes24h} times in the last 24 h.`,
        action: `Look at ${c.id}'s latency and errors for a timeout set too tight or an unstable upstream.`,
        evidence: [
          { label: "up/down changes in 24 h", value: c.changes24h, href: `/ai/connections/changes` },
          { label: "connection", value: c.id, href: connectionLinks(c.id).dashboard },
        ],
        material: { changes: band(c.changes24h, [FLAPPING_CHANGES, 8, 16, 32]) },
      }),
    );

export const UPTIME_TARGET_PCT = 99.5;
const UPTIME_CRITICAL_PCT = 95;
export const uptimeBelowTarget: Rule = (s) =>
  s.connections
    .filter((c) => c.uptime7d.pct !== null && c.uptime7d.coverage >= 0.5 && c.uptime7d.pct < UPTIME_TARGET_PCT)
    .map((c) => {
      const p = c.uptime7d.pct!;
      return finding("uptime-below-target", c.id, {
        severity: p < UPTIME_CRITICAL_PCT ? "critical" : "warning",
        title: `${c.label} uptime ${p}% over 7 days`,
        summary: `${c.label} (${c.id}) was up ${p}% of ${c.uptime7d.probes} probes over 7 days (${c.uptime7d.down} down), under the ${UPTIME_TARGET_PCT}% target.`,
        action: `Find what took ${c.id} down in the connection's history and fix the cause.`,
        evidence: [
          { label: "uptime 7 d", value: p, unit: "%", href: connectionLinks(c.id).api },
          { label: "probes down", value: c.uptime7d.down, href: connectionLinks(c.id).dashboard },
          { label: "target", value: UPTIME_TARGET_PCT, unit: "%" },
        ],
        material: { uptime: band(100 - p, [0, 0.5, 1, 2, 5, 10, 25, 50]) },
      });
    });

const LATENCY_RATIO = 1.5;
const LATENCY_MIN_DELTA_MS = 50;
export const latencyRegression: Rule = (s) =>
  s.connections.flatMap((c) => {
    const { p95Ms, baselineP95Ms, hours, baselineHours } = c.latency;
    if (p95Ms === null || baselineP95Ms === null || hours < 6 || baselineHours < 24 || baselineP95Ms <= 0) return [];
    const ratio = round1(p95Ms / baselineP95Ms);
    if (p95Ms / baselineP95Ms < LATENCY_RATIO || p95Ms - baselineP95Ms < LATENCY_MIN_DELTA_MS) return [];
    return [
      finding("latency-regression", c.id, {
        severity: ratio >= 3 ? "critical" : "warning",
        title: `${c.label} p95 latency ${ratio}× its 7-day baseline`,
        summary: `${c.label} (${c.id}) answers in ${round1(p95Ms)} ms at p95 over the last 24 h, against ${round1(baselineP95Ms)} ms over the 7 days before.`,
        action: `Compare ${c.id}'s latency chart with recent deploys and its host's load.`,
        evidence: [
          { label: "p95 last 24 h", value: round1(p95Ms), unit: "ms", href: connectionLinks(c.id).api },
          { label: "p95 baseline (7 d)", value: round1(baselineP95Ms), unit: "ms", href: connectionLinks(c.id).dashboard },
          { label: "ratio", value: ratio, unit: "×" },
        ],
        material: { ratio: band(p95Ms / baselineP95Ms, [LATENCY_RATIO, 2, 3, 5, 10]) },
      }),
    ];
  });

export const siteHealthCritical: Rule = (s) =>
  s.connections
    .filter((c) => c.siteHealthCritical.length > 0)
    .map((c) =>
      finding("wordpress-site-health", c.id, {
        severity: "warning",
        title: `${c.label}: ${c.siteHealthCritical.length} critical Site Health ${c.siteHealthCritical.length === 1 ? "test" : "tests"}`,
        summary: `WordPress Site Health on ${c.id} reports critical: ${c.siteHealthCritical.join("; ")}.`,
        action: `Open Site Health in ${c.id}'s admin and fix the critical items.`,
        evidence: [
          { label: "critical tests", value: c.siteHealthCritical.length, href: `/ai/wordpress/sites/${encodeURIComponent(c.id)}/health` },
          ...c.siteHealthCritical.slice(0, 5).map((t) => ({ label: "critical", value: t, href: connectionLinks(c.id).dashboard })),
        ],
        material: { tests: [...c.siteHealthCritical].sort().join("|") },
      }),
    );
