/**
 * The Audit page's filters live in the URL (so a view can be shared): parsed leniently from the
 * search params, anything invalid dropped rather than sent to the server to fail.
 */
export const ACTOR_TYPES = ["api_key", "user", "system", "github", "anonymous"] as const;
export const OUTCOMES = ["success", "failure", "denied"] as const;
export const FILTER_KEYS = ["q", "intentId", "actorType", "actorId", "clientId", "action", "outcome", "since", "until"] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];
export interface AuditFilters {
  q?: string;
  intentId?: string;
  actorType?: (typeof ACTOR_TYPES)[number];
  actorId?: string;
  clientId?: string;
  action?: string;
  outcome?: (typeof OUTCOMES)[number];
  since?: string;
  until?: string;
}

const oneOf = <T extends string>(list: readonly T[], v: string | undefined): T | undefined => ((list as readonly string[]).includes(v ?? "") ? (v as T) : undefined);
const text = (v: string | null | undefined, max = 200) => {
  const t = v?.trim();
  return t ? t.slice(0, max) : undefined;
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = (v: string | null | undefined) => (v && UUID.test(v.trim()) ? v.trim().toLowerCase() : undefined);
const iso = (v: string | null | undefined) => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined);

export function filtersFromParams(params: Pick<URLSearchParams, "get">): AuditFilters {
  const out: AuditFilters = {
    q: text(params.get("q")),
    intentId: uuid(params.get("intentId")),
    actorType: oneOf(ACTOR_TYPES, params.get("actorType") ?? undefined),
    actorId: text(params.get("actorId")),
    clientId: text(params.get("clientId")),
    action: text(params.get("action")),
    outcome: oneOf(OUTCOMES, params.get("outcome") ?? undefined),
    since: iso(params.get("since")),
    until: iso(params.get("until")),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as AuditFilters;
}

/** The query string of a view: its filters and, when one is open, the event shown in detail. */
export function searchOf(filters: AuditFilters, event?: number | null): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = filters[key];
    if (v) params.set(key, v);
  }
  if (event) params.set("event", String(event));
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function hasFilters(filters: AuditFilters): boolean {
  return FILTER_KEYS.some((k) => filters[k]);
}

export const FILTER_LABELS: Record<FilterKey, string> = {
  q: "Search",
  intentId: "Intent",
  actorType: "Actor type",
  actorId: "Actor",
  clientId: "Client",
  action: "Action",
  outcome: "Outcome",
  since: "From",
  until: "Until",
};
