import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/** API keys: "oo_" + 32 random bytes in base62, stored as SHA-256 only. */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const KEY_PREFIX = "oo_";
export const PREFIX_LENGTH = KEY_PREFIX.length + 8;

function base62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(43, "0"); // 32 bytes need at most 43 base62 digits
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = KEY_PREFIX + base62(randomBytes(32));
  return { key, prefix: key.slice(0, PREFIX_LENGTH), hash: hashApiKey(key) };
}

/** SHA-256 in one call (no Hash object): it runs on every authenticated request. */
export function hashApiKey(key: string): string {
  return hash("sha256", key, "hex");
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A key's credential from `x-api-key` or `Authorization: Bearer`; null when none was sent. */
export function readCredential(headers: Headers): string | null {
  const header = headers.get("x-api-key");
  if (header !== null) return header.trim();
  const auth = headers.get("authorization");
  if (auth === null) return null;
  const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
  return m ? m[1]!.trim() : auth.trim();
}

/** A plausible key: what we issue, or a bootstrap key from ORCHESTRATOR_API_KEY (any printable token). */
export function looksLikeKey(value: string): boolean {
  return /^[\x21-\x7e]{16,256}$/.test(value);
}
