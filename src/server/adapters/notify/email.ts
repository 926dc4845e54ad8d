import nodemailer from "nodemailer";
import type { Notification, NotifyChannel } from "./types";
import { DeliveryError } from "./types";

const COLOR = { info: "#4f46e5", warning: "#b45309", critical: "#b91c1c" } as const;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The two parts of a mail: plain text and a small inline-styled HTML (no images, no tracking, links as they are). */
export function emailParts(n: Notification): { subject: string; text: string; html: string } {
  const subject = `[${n.severity}] ${n.title}`;
  const text = [n.title, "", ...n.lines, ...(n.link ? ["", `${n.link.label}: ${n.link.url}`] : []), "", `${n.type} · ${n.occurredAt}`].join("\n");
  const paragraphs = n.lines.map((l) => `<p style="margin:0 0 8px">${escapeHtml(l)}</p>`).join("");
  const button = n.link
    ? `<p style="margin:16px 0"><a href="${escapeHtml(n.link.url)}" style="background:${COLOR[n.severity]};color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none">${escapeHtml(n.link.label)}</a></p>`
    : "";
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a"><h2 style="color:${COLOR[n.severity]};margin:0 0 12px">${escapeHtml(n.title)}</h2>${paragraphs}${button}<p style="color:#64748b;font-size:12px">${escapeHtml(n.type)} · ${escapeHtml(n.occurredAt)}</p></body></html>`;
  return { subject, text, html };
}

/** SMTP errors worth retrying: 4xx replies (temporary by RFC 5321) and connection trouble; 5xx replies are final. */
function deliveryErrorOf(err: unknown): DeliveryError {
  const e = err as { responseCode?: number; code?: string; message?: string };
  const code = e.responseCode ?? null;
  const retryable = code === null ? e.code !== "EENVELOPE" && e.code !== "EAUTH" : code < 500;
  return new DeliveryError(`SMTP ${code ?? e.code ?? "error"}: ${(e.message ?? "").split("\n")[0]!.slice(0, 200)}`, retryable, code);
}

/** Email over SMTP (SMTP_URL) with nodemailer's pooled transport; one mail per recipient so each has its own Message-ID. */
export function createEmailChannel(smtpUrl: string, from: string | undefined): NotifyChannel {
  const url = new URL(smtpUrl);
  const sender = from ?? `orchestrator@${url.hostname}`;
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 4,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  const domain = sender.split("@")[1] ?? url.hostname;
  return {
    name: "email",
    target: `${url.hostname}:${url.port || (url.protocol === "smtps:" ? 465 : 587)} as ${sender}`,
    async send(n, recipient, signal) {
      if (!recipient) throw new DeliveryError("no recipient address", false);
      signal.throwIfAborted();
      const parts = emailParts(n);
      try {
        await transport.sendMail({
          from: sender,
          to: recipient,
          subject: parts.subject,
          text: parts.text,
          html: parts.html,
          messageId: `<${n.idempotencyKey}@${domain}>`,
          headers: { "X-Idempotency-Key": n.idempotencyKey, "X-Orchestrator-Event": n.type },
        });
      } catch (err) {
        throw deliveryErrorOf(err);
      }
    },
    close: async () => transport.close(),
  };
}
