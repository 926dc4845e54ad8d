import { firstJsonError } from "./json-position";

/**
 * Scopes of shared context as the dashboard edits them: a kind and, except for global, an id.
 * The server validates again (features/context); this catches typos before the round trip.
 */
export const SCOPE_KINDS = ["global", "repo", "session", "client"] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

// The alphabets of SCOPE_PATTERN and KEY_PATTERN in features/context/schema.ts (scope.test.ts holds them together).
const ID_RULES: Record<Exclude<ScopeKind, "global">, { re: RegExp; hint: string; placeholder: string }> = {
  repo: { re: /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, hint: "owner/name, e.g. acme/web", placeholder: "owner/name" },
  session: { re: /^[A-Za-z0-9._-]{1,128}$/, hint: "up to 128 letters, digits, '.', '_' or '-'", placeholder: "session id" },
  client: { re: /^[A-Za-z0-9._-]{1,128}$/, hint: "a client id: letters, digits, '.', '_' or '-'", placeholder: "gpt, cursor…" },
};
export const KEY_RE = /^[A-Za-z0-9._:/-]{1,200}$/;
export const KEY_HINT = "1–200 letters, digits or . _ : / -";

export function scopeIdRule(kind: Exclude<ScopeKind, "global">) {
  return ID_RULES[kind];
}

/** Builds "repo:acme/web" from its parts, or says what is wrong. */
export function buildScope(kind: ScopeKind, id: string): { scope: string } | { error: string } {
  if (kind === "global") return { scope: "global" };
  const trimmed = id.trim();
  if (!trimmed) return { error: `Enter the ${kind} id (${ID_RULES[kind].hint}).` };
  if (!ID_RULES[kind].re.test(trimmed)) return { error: `Not a valid ${kind} id: use ${ID_RULES[kind].hint}.` };
  return { scope: `${kind}:${trimmed}` };
}

/** Splits a scope from the URL back into its parts; null when it is not a valid scope. */
export function parseScope(scope: string | null | undefined): { kind: ScopeKind; id: string; scope: string } | null {
  if (!scope) return null;
  if (scope === "global") return { kind: "global", id: "", scope };
  const i = scope.indexOf(":");
  const kind = scope.slice(0, i) as ScopeKind;
  if (i < 1 || !(SCOPE_KINDS as readonly string[]).includes(kind) || kind === "global") return null;
  const built = buildScope(kind, scope.slice(i + 1));
  return "scope" in built && built.scope === scope ? { kind, id: scope.slice(i + 1), scope } : null;
}

/** One line of a JSON value for a table cell. */
export function previewValue(value: unknown, max = 120): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? "null");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Parses the editor's text: the value, or an error naming the line and column of the first mistake. */
export function parseJson(text: string): { value: unknown } | { error: string } {
  if (!text.trim()) return { error: 'Enter a JSON value, e.g. {"note": "…"}, "text", 42 or null.' };
  try {
    return { value: JSON.parse(text) };
  } catch {
    const at = firstJsonError(text);
    const before = text.slice(0, Math.max(0, at));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    const found = at >= text.length ? "the text ends too early" : `unexpected ${JSON.stringify(text[at])}`;
    return { error: `Invalid JSON at line ${line}, column ${column}: ${found}.` };
  }
}

export const MAX_VALUE_BYTES = 64 * 1024;

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
