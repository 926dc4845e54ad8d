import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH } from "./chain";
import { signManifest, verifyManifestChain, type SegmentManifest, type SignedManifest } from "./manifest";
import { signerFromKey } from "./signing";

const ed = signerFromKey(`ed25519:${randomBytes(32).toString("base64")}`);
const hmac = signerFromKey("hmac:a-secret");

function chainOf(n: number, signer = ed): SignedManifest[] {
  const out: SignedManifest[] = [];
  for (let i = 0; i < n; i++) {
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
    expect(verifyManifestChain(chainOf(4), ed)).toBeNull();
    expect(verifyManifestChain(chainOf(2, hmac), hmac)).toBeNull();
  });

  it("reports a missing manifest at the first sequence number it covered", () => {
    const chain = chainOf(4);
    expect(verifyManifestChain([chain[0]!, chain[2]!, chain[3]!], ed)).toEqual({ firstBadSeq: 11, reason: "manifest of segment 2 is missing" });
  });

  it("reports an altered, re-hashed or re-signed manifest", () => {
    const chain = chainOf(3);
    const altered = [chain[0]!, { ...chain[1]!, headHash: "f".repeat(64) }, chain[2]!];
    expect(verifyManifestChain(altered, ed)?.reason).toMatch(/segment 2: manifest altered/);
    const forged = chainOf(3, signerFromKey("hmac:attacker"));
    expect(verifyManifestChain(forged, ed)?.reason).toMatch(/not the configured key/);
    const resigned = chainOf(3).map((m) => ({ ...m, signature: hmac.sign(`audit-manifest:${m.manifestHash}`) }));
    expect(verifyManifestChain(resigned, ed)).toEqual({ firstBadSeq: 1, reason: "segment 1: signature invalid" });
  });
});
