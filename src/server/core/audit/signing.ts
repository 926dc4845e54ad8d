import { createHmac, createPrivateKey, createPublicKey, hash, type KeyObject, randomBytes, sign, timingSafeEqual, verify } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Signs what anchors the audit chain outside the database (segment manifests, checkpoints).
 * AUDIT_SIGNING_KEY is `ed25519:<base64 32-byte seed>` (a verifier then needs only the public key)
 * or `hmac:<secret>` / any other string (HMAC-SHA256 with it).
 */
export interface AuditSigner {
  alg: "hmac-sha256" | "ed25519";
  /** Names the key without revealing it (sha256 of the HMAC secret or of the public key, 16 hex). */
  keyId: string;
  sign(data: string): string;
  verify(data: string, signature: string): boolean;
}

// The DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

function ed25519Signer(seed: Buffer): AuditSigner {
  if (seed.length !== 32) throw new Error("AUDIT_SIGNING_KEY: an ed25519 key is the base64 of a 32-byte seed");
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: "der", type: "spki" });
  return {
    alg: "ed25519",
    keyId: hash("sha256", raw, "hex").slice(0, 16),
    sign: (data) => sign(null, Buffer.from(data), privateKey).toString("base64url"),
    verify: (data, signature) => verify(null, Buffer.from(data), publicKey, Buffer.from(signature, "base64url")),
  };
}

function hmacSigner(secret: string): AuditSigner {
  const mac = (data: string) => createHmac("sha256", secret).update(data).digest();
  return {
    alg: "hmac-sha256",
    keyId: hash("sha256", `audit-signing:${secret}`, "hex").slice(0, 16),
    sign: (data) => mac(data).toString("base64url"),
    verify: (data, signature) => {
      const given = Buffer.from(signature, "base64url");
      const expected = mac(data);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** Parses one key as AUDIT_SIGNING_KEY takes it. */
export function signerFromKey(key: string): AuditSigner {
  if (key.startsWith("ed25519:")) return ed25519Signer(Buffer.from(key.slice("ed25519:".length), "base64"));
  if (key.startsWith("hmac:")) return hmacSigner(key.slice("hmac:".length));
  return hmacSigner(key);
}

/**
 * The configured signer; without AUDIT_SIGNING_KEY, an HMAC key generated once into DATA_DIR
 * (mode 0600). That still anchors the chain outside the database, but a key kept on the same
 * machine proves less than one kept elsewhere: set AUDIT_SIGNING_KEY in production.
 */
export function auditSigner(e: { AUDIT_SIGNING_KEY?: string; dataDir: string }): AuditSigner {
  if (e.AUDIT_SIGNING_KEY) return signerFromKey(e.AUDIT_SIGNING_KEY);
  const file = path.join(e.dataDir, "audit-signing.key");
  if (!existsSync(file)) {
    mkdirSync(e.dataDir, { recursive: true });
    try {
      writeFileSync(file, `hmac:${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err; // another process made it first
    }
  }
  return signerFromKey(readFileSync(file, "utf8").trim());
}

/**
 * The keys verification accepts, by key id: the configured one (the only one that signs) and the keys
 * it replaced (AUDIT_SIGNING_KEYS_PREVIOUS, comma-separated), so rotating the key leaves what the old
 * one signed verifiable.
 */
export interface AuditKeyring {
  current: AuditSigner;
  /** The key with this id; a document without a key id (written before ids were recorded) is the current key's. */
  byId(keyId: string | undefined): AuditSigner | null;
}

export function auditKeyring(current: AuditSigner, previous: string | undefined): AuditKeyring {
  const keys = new Map<string, AuditSigner>();
  for (const key of (previous ?? "").split(",").map((k) => k.trim())) {
    if (!key) continue;
    const signer = signerFromKey(key);
    keys.set(signer.keyId, signer);
  }
  keys.set(current.keyId, current);
  return { current, byId: (keyId) => (keyId === undefined ? current : (keys.get(keyId) ?? null)) };
}

/** Why a signed document (a manifest, a checkpoint) does not verify under these keys, or null when it does. */
export function signatureProblem(keys: AuditKeyring, doc: { keyId?: string; alg?: string; signature: string }, signed: string): string | null {
  const key = keys.byId(doc.keyId);
  if (!key) return `signed with key ${doc.keyId}, which is neither the configured key ${keys.current.keyId} nor one of AUDIT_SIGNING_KEYS_PREVIOUS`;
  if (doc.alg !== undefined && doc.alg !== key.alg) return `signed with ${doc.alg}, but key ${key.keyId} is ${key.alg}`;
  return key.verify(signed, doc.signature) ? null : "signature invalid";
}
