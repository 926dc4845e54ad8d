import type { Db } from "@/server/adapters/db";
import { chainHash, GENESIS_HASH } from "./chain";
import { contentFromRow } from "./log";

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first sequence number whose row, link or numbering is wrong. */
  firstBadSeq: number | null;
  reason: string | null;
  headHash: string | null;
}

const PAGE = 1_000;

/** Walks the whole chain from the genesis: numbering, links and each row's hash. */
export async function verifyChain(db: Db): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  for (;;) {
    const rows = await db.auditEvent.findMany({ where: { seq: { gte: BigInt(expected) } }, orderBy: { seq: "asc" }, take: PAGE });
    for (const r of rows) {
      const seq = Number(r.seq);
      const bad = (reason: string): VerifyResult => ({ ok: false, checked, firstBadSeq: seq === expected ? seq : expected, reason, headHash: null });
      if (seq !== expected) return bad(`sequence gap: expected ${expected}, found ${seq}`);
      if (r.prevHash !== prev) return bad("link broken: prev_hash does not match the previous row's hash");
      if (chainHash(r.prevHash, contentFromRow(r)) !== r.hash) return bad("row altered: its hash does not match its content");
      prev = r.hash;
      expected++;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  return { ok: true, checked, firstBadSeq: null, reason: null, headHash: checked ? prev : null };
}
