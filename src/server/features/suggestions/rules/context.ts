import { band, finding, type Rule } from "./types";

/**
 * A context scope growing without bound: its entry count rose at every one of the last recorded days
 * and at least doubled over them, or it holds more entries than anyone reads.
 */
const GROWTH_DAYS = 3;
const MIN_ENTRIES = 100;
export const LARGE_SCOPE = 5_000;

export const contextScopeGrowing: Rule = (s) =>
  s.contextScopes.flatMap((c) => {
    const series = [...c.history.slice(-GROWTH_DAYS).map((h) => h.entries), c.entries];
    const rising = series.length > GROWTH_DAYS && series.every((n, i) => i === 0 || n > series[i - 1]!);
    const first = series[0]!;
    const growing = rising && c.entries >= MIN_ENTRIES && c.entries >= 2 * first;
    const large = c.entries >= LARGE_SCOPE;
    if (!growing && !large) return [];
    return [
      finding("context-scope-growing", c.scope, {
        severity: large ? "warning" : "info",
        title: `Context scope ${c.scope} holds ${c.entries} entries`,
        summary: growing
          ? `Context scope ${c.scope} grew every day, from ${first} to ${c.entries} entries over ${series.length - 1} days.`
          : `Context scope ${c.scope} holds ${c.entries} entries, more than the ${LARGE_SCOPE} an agent can read.`,
        action: `Give the writers of ${c.scope} shorter TTLs or fewer distinct keys.`,
        evidence: [
          { label: "entries", value: c.entries, href: `/context?scope=${encodeURIComponent(c.scope)}` },
          ...(growing ? [{ label: `entries ${series.length - 1} days ago`, value: first, href: "/ai/context/summary" }] : []),
        ],
        material: { entries: band(c.entries, [MIN_ENTRIES, 500, 1_000, LARGE_SCOPE, 20_000, 100_000]), growing },
      }),
    ];
  });
