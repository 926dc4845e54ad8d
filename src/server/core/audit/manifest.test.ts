import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH } from "./chain";
import { signManifest, verifyManifestChain, type SegmentManifest, type SignedManifest } from "./manifest";
import { auditKeyring, signerFromKey, type AuditSigner } from "./signing";
import { checkpointProblem, type Checkpoint } from "./checkpoint";

const ed = signerFromKey(`ed25519:${randomBytes(32).toString("base64")}`);
const hmac = signerFromKey("hmac:a-secret");

/** Keys as a deployment that never rotated has them. */
const only = (signer: AuditSigner) => auditKeyring(signer, undefined);

/** n manifests, the i-th (0-based) signed by `signerAt(i)`: a key rotated midway is `(i) => (i < 2 ? old : next)`. */
function chainOf(n: number, signerAt: AuditSigner | ((i: number) => AuditSigner) = ed, chainId?: string): SignedManifest[] {
  const out: SignedManifest[] = [];
  for (let i = 0; i < n; i++) {
    const signer = typeof signerAt === "function" ? signerAt(i) : signerAt;
    const prev = out.at(-1);
    const body: SegmentManifest = {
      version: 1,
      segment: i + 1,
      firstSeq: i * 10 + 1,
      lastSeq: i * 10 + 10,
      count: 10,
      firstPrevHash: prev?.headHash ?? GENESIS_HASH,
      headHash: `${i}`.repeat(64).slice(0, 64),
      firstAt: "2026-01-01T00:00:00.000Z",
      lastAt: "2026-01-02T00:00:00.000Z",
      prevManifestHash: prev?.manifestHash ?? null,
      sealedAt: "2026-01-09T00:00:00.000Z",
      alg: signer.alg,
      keyId: signer.keyId,
      ...(chainId ? { chainId } : {}),
    };
    out.push(signManifest(body, signer));
  }
  return out;
}

describe("audit signing keys", () => {
  it("ed25519 and HMAC sign, verify, and refuse a changed message or another key's signature", () => {
    for (const signer of [ed, hmac]) {
      const sig = signer.sign("head:42");
      expect(signer.verify("head:42", sig)).toBe(true);
      expect(signer.verify("head:43", sig)).toBe(false);
    }
    expect(ed.verify("head:42", hmac.sign("head:42"))).toBe(false);
    expect(signerFromKey("hmac:other").verify("x", hmac.sign("x"))).toBe(false);
    expect(signerFromKey("plain-secret").alg).toBe("hmac-sha256");
    expect(() => signerFromKey("ed25519:c2hvcnQ=")).toThrow(/32-byte seed/);
  });
});

describe("the chain of segment manifests", () => {
  it("accepts an intact chain, under either algorithm", () => {
    expect(verifyManifestChain(chainOf(4), only(ed))).toBeNull();
    expect(verifyManifestChain(chainOf(2, hmac), only(hmac))).toBeNull();
  });

  it("reports a missing manifest at the first sequence number it covered", () => {
    const chain = chainOf(4);
    expect(verifyManifestChain([chain[0]!, chain[2]!, chain[3]!], only(ed))).toEqual({ firstBadSeq: 11, reason: "manifest of segment 2 is missing" });
  });

  it("reports an altered, re-hashed or re-signed manifest", () => {
    const chain = chainOf(3);
    const altered = [chain[0]!, { ...chain[1]!, headHash: "f".repeat(64) }, chain[2]!];
    expect(verifyManifestChain(altered, only(ed))?.reason).toMatch(/segment 2: manifest altered/);
    const forged = chainOf(3, signerFromKey("hmac:attacker"));
    expect(verifyManifestChain(forged, only(ed))?.reason).toMatch(/segment 1: signed with key \w+, which is neither the configured key/);
    const resigned = chainOf(3).map((m) => ({ ...m, signature: hmac.sign(`audit-manifest:${m.manifestHash}`) }));
    expect(verifyManifestChain(resigned, only(ed))).toEqual({ firstBadSeq: 1, reason: "segment 1: signature invalid" });
  });
});

describe("signing-key rotation", () => {
  const old = signerFromKey("hmac:the-old-secret");
  const next = signerFromKey(`ed25519:${randomBytes(32).toString("base64")}`);
  const rotated = chainOf(4, (i) => (i < 2 ? old : next));

  it("names each key by an id that is not the key", () => {
    expect(old.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(old.keyId).not.toBe(next.keyId);
    expect(old.keyId).not.toContain("the-old-secret");
    expect(rotated.map((m) => m.keyId)).toEqual([old.keyId, old.keyId, next.keyId, next.keyId]);
  });

  it("verifies what the replaced key signed when it is listed in AUDIT_SIGNING_KEYS_PREVIOUS", () => {
    expect(verifyManifestChain(rotated, auditKeyring(next, "hmac:the-old-secret"))).toBeNull();
    expect(verifyManifestChain(rotated, auditKeyring(next, ` hmac:unrelated , hmac:the-old-secret,`))).toBeNull();
  });

  it("reports a manifest signed by a key it does not know, at that segment", () => {
    expect(verifyManifestChain(rotated, only(next))).toEqual({
      firstBadSeq: 1,
      reason: `segment 1: signed with key ${old.keyId}, which is neither the configured key ${next.keyId} nor one of AUDIT_SIGNING_KEYS_PREVIOUS`,
    });
    // a previous key does not make the current one's manifests optional
    expect(verifyManifestChain(rotated, only(old))?.firstBadSeq).toBe(21);
  });

  it("still refuses a manifest whose signature does not match the key it names", () => {
    const forged = rotated.map((m, i) => (i === 3 ? { ...m, signature: signerFromKey("hmac:attacker").sign(`audit-manifest:${m.manifestHash}`) } : m));
    expect(verifyManifestChain(forged, auditKeyring(next, "hmac:the-old-secret"))).toEqual({ firstBadSeq: 31, reason: "segment 4: signature invalid" });
  });

  it("verifies a manifest without a key id (written before ids were recorded) with the current key only", () => {
    const withoutId = (signer: AuditSigner) =>
      chainOf(2, signer).reduce<SignedManifest[]>((out, m) => {
        const prev = out.at(-1);
        const { keyId: _dropped, ...body } = { ...m, prevManifestHash: prev?.manifestHash ?? null };
        return [...out, signManifest(body as unknown as SegmentManifest, signer)];
      }, []);
    const legacy = withoutId(old);
    expect(legacy.every((m) => !("keyId" in m))).toBe(true);
    expect(verifyManifestChain(legacy, only(old))).toBeNull();
    // without an id it is taken for the current key's (here another algorithm), never matched against previous keys
    expect(verifyManifestChain(legacy, auditKeyring(next, "hmac:the-old-secret"))).toEqual({ firstBadSeq: 1, reason: `segment 1: signed with hmac-sha256, but key ${next.keyId} is ed25519` });
    expect(verifyManifestChain(legacy, auditKeyring(signerFromKey("hmac:newer"), "hmac:the-old-secret"))).toEqual({ firstBadSeq: 1, reason: "segment 1: signature invalid" });
  });

  it("checks checkpoints the same way", () => {
    const at = "2026-01-09T00:00:00.000Z";
    const cp = (signer: AuditSigner): Checkpoint => ({
      seq: 42,
      hash: "a".repeat(64),
      at,
      alg: signer.alg,
      keyId: signer.keyId,
      signature: signer.sign(`audit-checkpoint:42:${"a".repeat(64)}:${at}`),
    });
    expect(checkpointProblem(cp(old), auditKeyring(next, "hmac:the-old-secret"))).toBeNull();
    expect(checkpointProblem(cp(next), auditKeyring(next, "hmac:the-old-secret"))).toBeNull();
    expect(checkpointProblem(cp(old), only(next))).toMatch(/neither the configured key/);
    expect(checkpointProblem({ ...cp(old), hash: "b".repeat(64) }, auditKeyring(next, "hmac:the-old-secret"))).toBe("signature invalid");
  });
});

describe("chain identity", () => {
  const mine = "c".repeat(64);
  const theirs = "d".repeat(64);

  it("accepts manifests naming this chain, and manifests sealed before chains were named", () => {
    expect(verifyManifestChain(chainOf(3, ed, mine), only(ed), mine)).toBeNull();
    expect(verifyManifestChain(chainOf(3, ed), only(ed), mine)).toBeNull();
    // the name is signed: it cannot be changed afterwards
    const renamed = chainOf(3, ed, mine).map((m) => ({ ...m, chainId: theirs }));
    expect(verifyManifestChain(renamed, only(ed), theirs)).toEqual({ firstBadSeq: 1, reason: "segment 1: its chain's name: signature invalid" });
    // and signed apart from the manifest's hash, which stays what the previous release computes (a rollback still verifies it)
    const [named, unnamed] = [chainOf(1, ed, mine)[0]!, chainOf(1, ed)[0]!];
    expect(named.manifestHash).toBe(unnamed.manifestHash);
    expect(named.signature).toBe(unnamed.signature);
  });

  it("refuses a manifest of another chain at its first sequence number", () => {
    expect(verifyManifestChain(chainOf(2, ed, theirs), only(ed), mine)).toEqual({
      firstBadSeq: 1,
      reason: `segment 1: belongs to another chain (${"d".repeat(16)}…), not this one (${"c".repeat(16)}…)`,
    });
  });

  it("signs a checkpoint's chain apart from its head; checkpoints without one keep verifying", () => {
    const at = "2026-01-09T00:00:00.000Z";
    const hash = "a".repeat(64);
    const legacy: Checkpoint = { seq: 7, hash, at, alg: ed.alg, keyId: ed.keyId, signature: ed.sign(`audit-checkpoint:7:${hash}:${at}`) };
    expect(checkpointProblem(legacy, only(ed))).toBeNull();
    const named: Checkpoint = { ...legacy, chainId: mine, chainSignature: ed.sign(`audit-checkpoint-chain:${mine}:7:${hash}:${at}`) };
    expect(checkpointProblem(named, only(ed))).toBeNull();
    expect(checkpointProblem({ ...named, chainId: theirs }, only(ed))).toBe("its chain's name: signature invalid");
    expect(checkpointProblem({ ...named, chainSignature: undefined }, only(ed))).toBe("its chain's name: signature invalid");
  });
});
