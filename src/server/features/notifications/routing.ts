import { SEVERITIES, type ChannelName, type Severity } from "@/server/adapters/notify";

/** Routing rules as the drain reads them (rows of notification_route). */
export interface Route {
  id: string;
  eventType: string;
  channel: ChannelName;
  recipients: string[];
  minSeverity: Severity;
  quietStart: string | null;
  quietEnd: string | null;
  enabled: boolean;
}

export const atLeast = (severity: Severity, min: Severity) => SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When a quiet window (UTC "HH:MM" to "HH:MM", possibly across midnight) holds `now`, the moment it
 * ends; otherwise null. Start equal to end means no quiet hours.
 */
export function quietUntil(now: Date, start: string | null, end: string | null): Date | null {
  if (!start || !end) return null;
  const s = minutesOf(start);
  const e = minutesOf(end);
  if (s === e) return null;
  const m = now.getUTCHours() * 60 + now.getUTCMinutes();
  const inside = s < e ? m >= s && m < e : m >= s || m < e;
  if (!inside) return null;
  const endAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), Math.floor(e / 60), e % 60));
  if (endAt <= now) endAt.setUTCDate(endAt.getUTCDate() + 1);
  return endAt;
}

export interface Target {
  channel: ChannelName;
  recipients: string[];
  /** Held back until then by quiet hours; null = now. */
  notBefore: Date | null;
}

/**
 * The routes an event takes: enabled, of its type (or *), at or above their minimum severity, to a
 * configured channel. Quiet hours hold back anything below critical until they end.
 */
export function targetsFor(routes: Route[], event: { type: string; severity: Severity }, configured: ReadonlySet<ChannelName>, now: Date): Target[] {
  return routes
    .filter((r) => r.enabled && (r.eventType === event.type || r.eventType === "*") && atLeast(event.severity, r.minSeverity) && configured.has(r.channel))
    .map((r) => ({ channel: r.channel, recipients: r.recipients, notBefore: event.severity === "critical" ? null : quietUntil(now, r.quietStart, r.quietEnd) }));
}
