import { band, finding, pct, type Rule } from "./types";

/** One API client answered with many 4xx (it is using the API wrong) or 5xx (we are failing it) over 24 hours. */
const MIN_CLIENT_ERRORS = 20;
const CLIENT_ERROR_SHARE = 0.25;
const MIN_SERVER_ERRORS = 5;
const auditLink = (clientId: string) => `/audit?clientId=${encodeURIComponent(clientId)}&outcome=failure`;

export const clientErrors: Rule = (s) =>
  s.clients.flatMap((c) => {
    const many4xx = c.clientErrors >= MIN_CLIENT_ERRORS && c.clientErrors / c.calls >= CLIENT_ERROR_SHARE;
    const many5xx = c.serverErrors >= MIN_SERVER_ERRORS;
    if (!many4xx && !many5xx) return [];
    const errors = c.clientErrors + c.serverErrors;
    const share = pct(errors, c.calls);
    return [
      finding("client-errors", c.clientId, {
        severity: many5xx ? "warning" : "info",
        title: `Client ${c.clientId}: ${errors} errors in 24 h`,
        summary: `Client ${c.clientId} got ${c.clientErrors} 4xx and ${c.serverErrors} 5xx answers out of ${c.calls} calls in the last 24 h (${share}%).`,
        action: many5xx ? `Read the 5xx requests of ${c.clientId} in the audit log: the server failed them.` : `Tell the owner of ${c.clientId} which requests are refused and why.`,
        evidence: [
          { label: "4xx (24 h)", value: c.clientErrors, href: auditLink(c.clientId) },
          { label: "5xx (24 h)", value: c.serverErrors, href: auditLink(c.clientId) },
          { label: "calls (24 h)", value: c.calls, href: `/ai/audit?clientId=${encodeURIComponent(c.clientId)}` },
        ],
        material: { clientErrors: many4xx ? band(c.clientErrors, [MIN_CLIENT_ERRORS, 100, 1_000, 10_000]) : 0, serverErrors: many5xx ? band(c.serverErrors, [MIN_SERVER_ERRORS, 50, 500, 5_000]) : 0 },
      }),
    ];
  });
