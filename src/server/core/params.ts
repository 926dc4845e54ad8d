import { z } from "zod";

const TEXT_BOOLEANS: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };

/**
 * A boolean that may arrive as text (a query string, a CLI flag): `true`/`false`/`1`/`0` in any case,
 * or a JSON boolean. Anything else is refused — never JavaScript's truthiness, where "false" is true.
 * REST's query strings are converted with this same schema (api/operations.ts).
 */
export const booleanParam = z.preprocess((v) => (typeof v === "string" ? (TEXT_BOOLEANS[v.trim().toLowerCase()] ?? v) : v), z.boolean());

/** A number sent as text: decimal digits only ("" and "0x10" are refused, unlike Number()). */
export function numberFromText(text: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
}
