/**
 * Notification channels: one interface, one file per medium (Slack, email, signed webhook).
 * A channel receives a rendered, medium-neutral notification and formats it for its medium.
 */
export const CHANNELS = ["slack", "email", "webhook"] as const;
export type ChannelName = (typeof CHANNELS)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Notification {
  eventId: string;
  type: string;
  severity: Severity;
  occurredAt: string;
  title: string;
  /** Plain-text lines of the body (each becomes a paragraph in HTML, a section in Slack). */
  lines: string[];
  /** The dashboard page to act on it, as an absolute URL. */
  link: { label: string; url: string } | null;
  /** The event's own fields, for machine receivers (the webhook). */
  data: Record<string, unknown>;
  /** One per event × channel × recipient; sent along so a receiver can drop a repeat. */
  idempotencyKey: string;
}

export interface NotifyChannel {
  readonly name: ChannelName;
  /** Where it sends, without secrets (a host, an SMTP server and sender): safe for logs and pages. */
  readonly target: string;
  /** Resolves when the receiver accepted it; throws DeliveryError otherwise. `recipient` is an email address, or "" for team channels. */
  send(notification: Notification, recipient: string, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** A failed send: whether trying again may help, and how long the receiver asked us to wait. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

export type NotifyChannels = Partial<Record<ChannelName, NotifyChannel>>;
