/**
 * Secret-looking strings are replaced before a file's text is chunked, summarized, stored or embedded.
 * Line breaks inside a match are kept, so chunk line ranges still point at the right lines of the file.
 */
export const REDACTED = "[redacted]";

const TOKENS: RegExp[] = [
  /\boo_[0-9A-Za-z]{20,}/g, // this app's API keys
  /\bgh[pousr]_[0-9A-Za-z]{20,}/g,
  /\bgithub_pat_[0-9A-Za-z_]{20,}/g,
  /\bglpat-[0-9A-Za-z_-]{20,}/g,
  /\bsk-(?:proj-|ant-)?[0-9A-Za-z_-]{16,}/g, // OpenAI, Anthropic
  /\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}/g, // Stripe
  /\bxox[abposr]-[0-9A-Za-z-]{10,}/g, // Slack
  /https:\/\/hooks\.slack\.com\/services\/[0-9A-Za-z/_-]+/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\bnpm_[0-9A-Za-z]{36}\b/g,
  /\bSG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,}/g, // SendGrid
  /\beyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}/g, // JWTs
];
/** One pass over the text for every token shape. */
const ANY_TOKEN = new RegExp(TOKENS.map((re) => re.source).join("|"), "g");
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g;
/** scheme://user:password@host — the password goes, the user and host stay. */
const URL_PASSWORD = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/[^:/\s@"'`]{0,256}:)([^@\s/"'`]{1,256})@/gi;
/**
 * password = "literal", apiKey: 'literal', AWS_SECRET_ACCESS_KEY="…" — the literal goes. Every
 * repetition is bounded (a name runs on at most 64 word characters, white space at most 16): an unbounded
 * `\w*` after "pass" made a long run of "passpass…" quadratic, each start scanning to the run's end.
 */
const ASSIGNED_SECRET =
  /((?:pass(?:word|wd)?|secret|api[_-]?key|access[_-]?key|auth[_-]?token|access[_-]?token|client[_-]?secret|private[_-]?key)\w{0,64}["']?\s{0,16}(?::\s{0,16}[\w.<>[\]| ]{1,40}?\s{0,16})?[:=]\s{0,16}["'`])([^"'`\s]{8,})(["'`])/gi;

/** Keeps the line breaks of what is replaced, so line numbers do not move. */
function blank(match: string): string {
  const breaks = match.split("\n").length - 1;
  return REDACTED + "\n".repeat(breaks);
}

export function redactSecrets(text: string): { text: string; redactions: number } {
  let redactions = 0;
  let out = text.replace(PRIVATE_KEY, (m) => {
    redactions++;
    return blank(m);
  });
  out = out.replace(URL_PASSWORD, (_m, head: string, pass: string) => {
    if (pass === REDACTED || /^\$\{?\w+\}?$/.test(pass)) return `${head}${pass}@`; // a placeholder, not a password
    redactions++;
    return `${head}${REDACTED}@`;
  });
  out = out.replace(ASSIGNED_SECRET, (_m, head: string, _value: string, tail: string) => {
    redactions++;
    return `${head}${REDACTED}${tail}`;
  });
  out = out.replace(ANY_TOKEN, () => {
    redactions++;
    return REDACTED;
  });
  return { text: out, redactions };
}
