import { postForDelivery } from "./http";
import type { Notification, NotifyChannel } from "./types";

const ICON = { info: ":information_source:", warning: ":warning:", critical: ":rotating_light:" } as const;

/** Block Kit: a header, the body lines as one section, a button to the dashboard page, the context line. */
export function slackMessage(n: Notification) {
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: n.title.slice(0, 150), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: n.lines.join("\n").slice(0, 3_000) || n.title } },
  ];
  if (n.link) {
    blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: n.link.label.slice(0, 75) }, url: n.link.url, action_id: "open" }] });
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `${ICON[n.severity]} ${n.severity} · ${n.type} · ${n.occurredAt}` }] });
  // `text` is the fallback shown in notifications and by clients that do not render blocks
  return { text: `${n.title}${n.link ? ` — ${n.link.url}` : ""}`, blocks };
}

/** Slack incoming webhook (SLACK_WEBHOOK_URL): plain fetch, one POST per message; its URL is the secret. */
export function createSlackChannel(webhookUrl: string): NotifyChannel {
  return {
    name: "slack",
    target: new URL(webhookUrl).host,
    send: (n, _recipient, signal) => postForDelivery(webhookUrl, JSON.stringify(slackMessage(n)), { "content-type": "application/json", "idempotency-key": n.idempotencyKey }, signal),
  };
}
