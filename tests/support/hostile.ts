import fc from "fast-check";
import { hasLoneSurrogate } from "@/server/core/text";

/** Any UTF-16 code unit, lone surrogates included: what `JSON.parse` of `"\ud800"` hands a server. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Strings an attacker can send: all of Unicode, lone surrogates, NUL, and a few known troublemakers. */
export function hostileString(opts: { maxLength?: number } = {}): fc.Arbitrary<string> {
  const maxLength = opts.maxLength ?? 40;
  return fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: codeUnit, maxLength }),
    fc.constantFrom("\ud800", "\udc00", "a\ud83d", "\ude00b", "\u0000", "nul\u0000in", "__proto__", "constructor", "", " ", "\u202e", "\ufeff", "%00", "../../etc/passwd"),
  );
}

/** A string of about `bytes` UTF-8 bytes, mixing a lone surrogate, NUL and astral characters into filler. */
export function hugeString(bytes = 1_048_576): string {
  const unit = "x\u0000\ud800é\u{1F600}";
  return unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))).slice(0, bytes);
}

/** Whether a string is well-formed UTF-16 (no lone surrogate). */
export const isWellFormed = (s: string) => !hasLoneSurrogate(s);
