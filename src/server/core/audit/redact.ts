import { hasLoneSurrogate, LONE_SURROGATE } from "../text";

/**
 * Secrets never reach the audit log (or any log): values under secret-sounding keys, and strings
 * that look like credentials wherever they appear. Large inputs are cut to a preview.
 */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key/i;
const SECRET_VALUE: RegExp[] = [
  /\boo_[0-9A-Za-z]{20,}/g, // our own API keys
  /\b(gh[pousr]_[0-9A-Za-z]{20,}|github_pat_[0-9A-Za-z_]{20,})/g,
  /\bsk-[0-9A-Za-z_-]{16,}/g,
  /\bxox[abposr]-[0-9A-Za-z-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\beyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}/g, // JWTs
];
// The scheme starts where a run of scheme characters starts and is at most 32 long: tried at every
// position of a long run of letters, an unbounded scheme is quadratic (70 KB of "x" took seconds).
const URL_PASSWORD = /((?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,31}:\/\/[^:/\s@]+:)[^@\s/]+@/gi;
/** All of the above in one pass (case-insensitive, so a superset): most strings hold nothing to redact. */
const MAYBE_SECRET = new RegExp([URL_PASSWORD, ...SECRET_VALUE].map((re) => `(?:${re.source})`).join("|"), "i");
export const REDACTED = "[redacted]";
const MAX_AUDIT_INPUT_CHARS = 8_000;

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

/**
 * Text as the audit log can hold it, whatever it was: lone surrogates become U+FFFD (canonical JSON
 * and Postgres refuse them) and NUL characters are dropped (Postgres text and jsonb refuse them).
 */
export function auditText(s: string): string {
  const clean = hasLoneSurrogate(s) ? s.replace(LONE_SURROGATES, "\ufffd") : s;
  return clean.includes("\u0000") ? clean.replace(/\u0000/g, "") : clean;
}

export function redactString(s: string): string {
  if (!MAYBE_SECRET.test(s)) return auditText(s);
  let out = s.replace(URL_PASSWORD, `$1${REDACTED}@`);
  for (const re of SECRET_VALUE) out = out.replace(re, REDACTED);
  return auditText(out);
}

/** Sets a property even when its name is `__proto__`, which a plain assignment would turn into a prototype change. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[too deep]";
  if (typeof value === "string") return redactString(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return null; // as JSON.stringify writes it
  if (value === null || typeof value !== "object") return typeof value === "function" || value === undefined ? null : value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    setOwn(out, redactString(k), SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1));
  }
  return out;
}

/** The input as it goes into the audit log: redacted, and a preview when it is large. */
export function auditInput(value: unknown): unknown {
  if (value === undefined) return null;
  const clean = redact(value);
  const text = JSON.stringify(clean) ?? "null";
  if (text.length <= MAX_AUDIT_INPUT_CHARS) return clean;
  // the cut may split a surrogate pair
  return { truncated: true, chars: text.length, preview: auditText(text.slice(0, MAX_AUDIT_INPUT_CHARS)) };
}
