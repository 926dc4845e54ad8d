import type { Notification, Severity } from "@/server/adapters/notify";
import type { EventOf, EventType, NotificationEvent } from "./events";

/** What every channel shows: a title, lines of text and the dashboard page to act on it. */
export type Rendered = Pick<Notification, "title" | "lines" | "link">;

type Renderers = { [T in EventType]: (data: EventOf<T>["data"], page: (path: string, label: string) => Rendered["link"]) => Rendered };

const RENDERERS: Renderers = {
  "intent.approval_requested": (d, page) => ({
    title: `Approval needed: ${d.summary}`,
    lines: [`${d.requester} asks to ${d.action}: ${d.summary}.`, `Reason: ${d.reason}`, `Who may approve: ${d.approverRoles.join(" or ")}${d.expiresAt ? `, before ${d.expiresAt}` : ""}.`],
    link: page(`/approvals/${d.intentId}`, "Review and decide"),
  }),
  "intent.executed": (d, page) => ({
    title: `Intent executed${d.dryRun ? " (dry-run)" : ""}: ${d.summary}`,
    lines: [d.result, ...(d.dryRun ? ["Dry-run: no credentials are configured for this action, nothing was sent."] : [])],
    link: page(`/approvals/${d.intentId}`, "Open the intent"),
  }),
  "intent.failed": (d, page) => ({
    title: `Intent failed${d.dryRun ? " (dry-run)" : ""}: ${d.summary}`,
    lines: [d.error],
    link: page(`/approvals/${d.intentId}`, "Open the intent"),
  }),
  "connection.down": (d, page) => ({
    title: `Connection down: ${d.connectionId}`,
    lines: [`${d.connectionId} (${d.kind}) failed ${d.failedProbes} probes within ${d.windowMinutes} minutes.`, ...(d.error ? [`Last error: ${d.error}`] : [])],
    link: page("/maps", "Open connections"),
  }),
  "connection.recovered": (d, page) => ({
    title: `Connection recovered: ${d.connectionId}`,
    lines: [`${d.connectionId} (${d.kind}) answered ${d.goodProbes} probes${d.downSince ? ` after being down since ${d.downSince}` : ""}.`],
    link: page("/maps", "Open connections"),
  }),
  "job.late": (d, page) => ({
    title: `Job late: ${d.job}`,
    lines: [`${d.job} was due at ${d.expectedAt} and is ${Math.round(d.lateBySeconds / 60)} min late.`, `Last run: ${d.lastRunAt ?? "never"}.`],
    link: page("/", "Open the status page"),
  }),
  "suggestion.critical": (d, page) => ({ title: `Critical suggestion: ${d.title}`, lines: [d.summary], link: page("/suggestions", "Open suggestions") }),
  "digest.daily": (d, page) => ({
    title: `Daily briefing, ${d.date}`,
    lines: [d.headline, ...d.items.map((i) => `• ${i.severity ? `[${i.severity}] ` : ""}${i.title}${i.detail ? ` — ${i.detail}` : ""}`)],
    link: page("/suggestions", "Open the briefing"),
  }),
  "audit.chain_failed": (d, page) => ({
    title: "Audit chain verification failed",
    lines: [
      `${d.reason}${d.firstBadSeq === null ? "" : ` (first bad sequence number ${d.firstBadSeq})`}.`,
      `${d.checked} events checked before it. Treat the log after that point as untrusted until explained.`,
    ],
    link: page(d.firstBadSeq === null ? "/audit" : `/audit?event=${d.firstBadSeq}`, "Open the audit log"),
  }),
};

/** The event as channels show it; links are absolute, on the dashboard's public URL. */
export function renderEvent(event: Pick<NotificationEvent, "type" | "data">, baseUrl: string): Rendered {
  const page = (path: string, label: string) => ({ label, url: new URL(path, baseUrl).toString() });
  const render = RENDERERS[event.type] as (data: unknown, p: typeof page) => Rendered;
  return render(event.data, page);
}

export function notificationOf(row: { id: string; type: string; severity: string; payload: unknown; createdAt: Date }, idempotencyKey: string, baseUrl: string): Notification {
  const rendered = renderEvent({ type: row.type, data: row.payload } as NotificationEvent, baseUrl);
  return { eventId: row.id, type: row.type, severity: row.severity as Severity, occurredAt: row.createdAt.toISOString(), data: row.payload as Record<string, unknown>, idempotencyKey, ...rendered };
}
