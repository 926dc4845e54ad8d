import { DAY_MS, finding, round1, type Rule } from "./types";

/** API keys unused for 90 days (revoke them) or expiring within 14 days (rotate them). */
const UNUSED_DAYS = 90;
const EXPIRY_DAYS = 14;
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY_MS;

export const keyUnused: Rule = (s) =>
  s.keys.flatMap((k) => {
    const idleSince = k.lastUsedAt ?? k.createdAt;
    const idle = Math.floor(days(idleSince, s.now));
    if (idle < UNUSED_DAYS) return [];
    return [
      finding("key-unused", k.prefix, {
        severity: "info",
        title: `Key ${k.prefix} of ${k.clientId} unused for ${idle} days`,
        summary: k.lastUsedAt
          ? `API key ${k.prefix} (client ${k.clientId}) was last used ${idle} days ago.`
          : `API key ${k.prefix} (client ${k.clientId}) was created ${idle} days ago and never used.`,
        action: `Revoke key ${k.prefix} on the Keys page if ${k.clientId} no longer needs it.`,
        evidence: [
          { label: "last used", value: k.lastUsedAt ?? "never", href: "/keys" },
          { label: "days unused", value: idle },
        ],
        material: { lastUsedAt: k.lastUsedAt },
      }),
    ];
  });

export const keyExpiring: Rule = (s) =>
  s.keys.flatMap((k) => {
    if (!k.expiresAt) return [];
    const left = days(s.now, k.expiresAt);
    if (left < 0 || left > EXPIRY_DAYS) return [];
    const shown = round1(left);
    return [
      finding("key-expiring", k.prefix, {
        severity: left <= 3 ? "critical" : "warning",
        title: `Key ${k.prefix} of ${k.clientId} expires in ${shown} days`,
        summary: `API key ${k.prefix} (client ${k.clientId}) expires at ${k.expiresAt}.`,
        action: `Create a new key for ${k.clientId}, hand it over, then let ${k.prefix} expire.`,
        evidence: [
          { label: "expires at", value: k.expiresAt, href: "/keys" },
          { label: "days left", value: shown },
        ],
        material: { expiresAt: k.expiresAt, soon: left <= 3 },
      }),
    ];
  });
