/** A UTF-16 surrogate without its other half: not Unicode text, and refused by canonical JSON and by Postgres. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const hasLoneSurrogate = (s: string) => LONE_SURROGATE.test(s);

/** Text no store of ours can hold as it is: a lone surrogate (not Unicode) or NUL (Postgres text refuses it). */
const unstorable = (s: string) => s.includes("\u0000") || hasLoneSurrogate(s);

/**
 * Where in a parsed JSON value a string (or a property name) holds a lone surrogate or a NUL character,
 * as a path like `value.x[2]`, or null when all of its text can be stored. JSON carries both (`"\ud800"`,
 * `"\u0000"`), so every input is checked.
 */
export function illFormedTextAt(value: unknown, path = "(root)", depth = 0): string | null {
  if (typeof value === "string") return unstorable(value) ? path : null;
  if (value === null || typeof value !== "object" || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = illFormedTextAt(value[i], `${path}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const at = path === "(root)" ? k : `${path}.${k}`;
    if (unstorable(k)) return at.replace(new RegExp(LONE_SURROGATE.source, "g"), "\ufffd").replace(/\u0000/g, "\\u0000");
    const bad = illFormedTextAt(v, at, depth + 1);
    if (bad) return bad;
  }
  return null;
}
