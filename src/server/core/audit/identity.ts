import type { Db } from "@/server/adapters/db";
import type { SegmentManifest } from "./manifest";

/**
 * The chain's name: the hash of its first event, on which every later hash depends, so no two
 * databases' chains share one. Manifests and checkpoints carry it (signed), and verification refuses
 * one of another chain. Read from the first sealed segment's manifest (signed; it outlives rotation),
 * else from the first event. Null for an empty log, and for a log whose first event was rotated out
 * under manifests written before chains were named (those name none).
 */
export async function chainIdOf(db: Db): Promise<string | null> {
  const [segment, first] = await Promise.all([
    db.auditSegment.findUnique({ where: { segment: 1 }, select: { manifest: true } }),
    db.auditEvent.findUnique({ where: { seq: 1n }, select: { hash: true } }),
  ]);
  return (segment?.manifest as Partial<SegmentManifest> | undefined)?.chainId ?? first?.hash ?? null;
}

/** A chain id short enough for a message. */
export const shortChainId = (id: string) => `${id.slice(0, 16)}…`;
