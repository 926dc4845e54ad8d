import { hash } from "node:crypto";
import canonicalize from "canonicalize";
import { GENESIS_HASH } from "./chain";
import { shortChainId } from "./identity";
import { signatureProblem, type AuditKeyring, type AuditSigner } from "./signing";

/** What a sealed segment's manifest states; its canonical JSON (RFC 8785) is hashed and signed. */
export interface SegmentManifest {
  version: 1;
  segment: number;
  firstSeq: number;
  lastSeq: number;
  count: number;
  /** The hash the segment's first row links to (the previous segment's head, or the genesis). */
  firstPrevHash: string;
  headHash: string;
  firstAt: string;
  lastAt: string;
  /** manifestHash of the previous segment (null for the first): the manifests form a chain too. */
  prevManifestHash: string | null;
  sealedAt: string;
  alg: AuditSigner["alg"];
  keyId: string;
  /** The chain it belongs to (the hash of the chain's first event); absent in manifests sealed before chains were named. */
  chainId?: string;
}

export type SignedManifest = SegmentManifest & { manifestHash: string; signature: string; chainSignature?: string };

const chainSigned = (manifestHash: string, chainId: string) => `audit-manifest-chain:${manifestHash}:${chainId}`;

const MANIFEST_FIELDS = ["version", "segment", "firstSeq", "lastSeq", "count", "firstPrevHash", "headHash", "firstAt", "lastAt", "prevManifestHash", "sealedAt", "alg", "keyId"] as const;

/**
 * The hash of a manifest's fields except `chainId`, which is signed apart (`chainSignature`): the hash
 * stays what the previous release computes, so a rollback still verifies the manifests this one sealed.
 */
export function manifestHash(m: SegmentManifest): string {
  const body = Object.fromEntries(MANIFEST_FIELDS.map((k) => [k, m[k]]));
  return hash("sha256", canonicalize(body)!, "hex");
}

export function signManifest(m: SegmentManifest, signer: AuditSigner): SignedManifest {
  const hash = manifestHash(m);
  const chain = m.chainId ? { chainSignature: signer.sign(chainSigned(hash, m.chainId)) } : {};
  return { ...m, manifestHash: hash, signature: signer.sign(`audit-manifest:${hash}`), ...chain };
}

export interface ChainProblem {
  firstBadSeq: number;
  reason: string;
}

/**
 * Checks the manifests as one chain: numbering, contiguous sequence ranges, each linked to the
 * previous one's head and manifest hash, each hash valid and signed by the key it names, which must
 * be the configured key or one it replaced, and each that names its chain naming `chainId`.
 */
export function verifyManifestChain(manifests: SignedManifest[], keys: AuditKeyring, chainId: string | null = null): ChainProblem | null {
  let prev: SignedManifest | null = null;
  for (const m of manifests) {
    const bad = (reason: string): ChainProblem => ({ firstBadSeq: m.firstSeq, reason: `segment ${m.segment}: ${reason}` });
    const expectedSegment = prev ? prev.segment + 1 : 1;
    if (m.segment !== expectedSegment) return { firstBadSeq: prev ? prev.lastSeq + 1 : 1, reason: `manifest of segment ${expectedSegment} is missing` };
    if (m.firstSeq !== (prev ? prev.lastSeq + 1 : 1)) return bad(`starts at ${m.firstSeq}, expected ${prev ? prev.lastSeq + 1 : 1}`);
    if (m.count !== m.lastSeq - m.firstSeq + 1) return bad("count does not match its sequence range");
    if (m.firstPrevHash !== (prev ? prev.headHash : GENESIS_HASH)) return bad("does not link to the previous segment's head");
    if (m.prevManifestHash !== (prev ? prev.manifestHash : null)) return bad("does not link to the previous manifest");
    if (manifestHash(m) !== m.manifestHash) return bad("manifest altered: its hash does not match its content");
    const signature = signatureProblem(keys, m, `audit-manifest:${m.manifestHash}`);
    if (signature) return bad(signature);
    if (m.chainId !== undefined) {
      const chainSignature = signatureProblem(keys, { ...m, signature: m.chainSignature ?? "" }, chainSigned(m.manifestHash, m.chainId));
      if (chainSignature) return bad(`its chain's name: ${chainSignature}`);
      if (chainId !== null && m.chainId !== chainId) return bad(`belongs to another chain (${shortChainId(m.chainId)}), not this one (${shortChainId(chainId)})`);
    }
    prev = m;
  }
  return null;
}
