/** A UTF-16 surrogate without its other half: not Unicode text, and refused by canonical JSON and by Postgres. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const hasLoneSurrogate = (s: string) => LONE_SURROGATE.test(s);

/**
 * Where in a parsed JSON value a string (or a property name) holds a lone surrogate, as a path like
 * `value.x[2]`, or null when all of its text is well-formed. JSON can carry one (`"\ud800"`), so every input is checked.
 */
export function illFormedTextAt(value: unknown, path = "(root)", depth = 0): string | null {
  if (typeof value === "string") return hasLoneSurrogate(value) ? path : null;
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
    if (hasLoneSurrogate(k)) return at.replace(LONE_SURROGATE, "\ufffd");
    const bad = illFormedTextAt(v, at, depth + 1);
    if (bad) return bad;
  }
  return null;
}
