import type { Env } from "@/env";
import { createEmailChannel } from "./email";
import { createSlackChannel } from "./slack";
import type { NotifyChannels } from "./types";
import { createWebhookChannel } from "./webhook";

export type { ChannelName, Notification, NotifyChannel, NotifyChannels, Severity } from "./types";
export { CHANNELS, DeliveryError, SEVERITIES } from "./types";

/** The configured channels; an unset variable leaves its channel out (its routes then send nothing). */
export function notifyChannelsFromEnv(e: Pick<Env, "SLACK_WEBHOOK_URL" | "SMTP_URL" | "NOTIFY_EMAIL_FROM" | "NOTIFY_WEBHOOK_URL" | "NOTIFY_WEBHOOK_SECRET">): NotifyChannels {
  if (e.NOTIFY_WEBHOOK_URL && !e.NOTIFY_WEBHOOK_SECRET) throw new Error("NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET (its posts are signed with it)");
  // the value itself is never echoed: it carries the SMTP password
  if (e.SMTP_URL && !/^smtps?:\/\/[^/]+/.test(e.SMTP_URL)) throw new Error("SMTP_URL must look like smtp://user:password@host:587 or smtps://…@host:465");
  return {
    ...(e.SLACK_WEBHOOK_URL ? { slack: createSlackChannel(e.SLACK_WEBHOOK_URL) } : {}),
    ...(e.SMTP_URL ? { email: createEmailChannel(e.SMTP_URL, e.NOTIFY_EMAIL_FROM) } : {}),
    ...(e.NOTIFY_WEBHOOK_URL && e.NOTIFY_WEBHOOK_SECRET ? { webhook: createWebhookChannel(e.NOTIFY_WEBHOOK_URL, e.NOTIFY_WEBHOOK_SECRET) } : {}),
  };
}

/** The secret parts of the configuration, scrubbed from any error text before it is stored, logged or shown. */
export function notifySecrets(e: Pick<Env, "SLACK_WEBHOOK_URL" | "SMTP_URL" | "NOTIFY_WEBHOOK_URL" | "NOTIFY_WEBHOOK_SECRET">): string[] {
  const out: string[] = [];
  for (const u of [e.SLACK_WEBHOOK_URL, e.SMTP_URL, e.NOTIFY_WEBHOOK_URL]) {
    if (!u) continue;
    out.push(u);
    try {
      const parsed = new URL(u);
      if (parsed.password) out.push(parsed.password, decodeURIComponent(parsed.password));
      if (parsed.pathname.length > 1) out.push(parsed.pathname);
    } catch {
      // not a URL: the whole value is already listed
    }
  }
  if (e.NOTIFY_WEBHOOK_SECRET) out.push(e.NOTIFY_WEBHOOK_SECRET);
  return [...new Set(out)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

export function scrubSecrets(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join("[redacted]"), text);
}
