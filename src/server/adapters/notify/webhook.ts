import { createHmac } from "node:crypto";
import { postForDelivery } from "./http";
import type { Notification, NotifyChannel } from "./types";

export const SIGNATURE_HEADER = "x-orchestrator-signature-256";

/** `sha256=<hex HMAC of the raw body>`, as GitHub's X-Hub-Signature-256: the receiver recomputes it over the bytes it got. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function webhookBody(n: Notification): string {
  return JSON.stringify({ id: n.eventId, type: n.type, severity: n.severity, occurredAt: n.occurredAt, title: n.title, text: n.lines.join("\n"), link: n.link?.url ?? null, data: n.data });
}

/** A generic signed webhook (NOTIFY_WEBHOOK_URL + NOTIFY_WEBHOOK_SECRET) for anything else that wants the events. */
export function createWebhookChannel(url: string, secret: string): NotifyChannel {
  return {
    name: "webhook",
    target: new URL(url).host,
    send: (n, _recipient, signal) => {
      const body = webhookBody(n);
      return postForDelivery(
        url,
        body,
        {
          "content-type": "application/json",
          "user-agent": "ops-orchestrator-notify",
          "x-orchestrator-event": n.type,
          "x-orchestrator-delivery": n.idempotencyKey,
          "idempotency-key": n.idempotencyKey,
          [SIGNATURE_HEADER]: signBody(secret, body),
        },
        signal,
      );
    },
  };
}
