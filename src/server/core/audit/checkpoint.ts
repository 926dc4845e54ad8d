import type { Db } from "@/server/adapters/db";
import type { AuditArchiveSink } from "@/server/adapters/audit-archive";
import { chainIdOf } from "./identity";
import { signatureProblem, type AuditKeyring, type AuditSigner } from "./signing";

/** A signed head of the chain: the live chain must still reach `seq` with this `hash`. */
export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  alg: AuditSigner["alg"];
  keyId: string;
  signature: string;
  /**
   * The chain it belongs to, signed apart (`chainSignature`) so the previous release still verifies
   * `signature`. Only the sinks' copies carry it (the database's belong to its own chain); absent in
   * checkpoints written before chains were named.
   */
  chainId?: string;
  chainSignature?: string;
}

type Signed = Pick<Checkpoint, "seq" | "hash" | "at">;
const signed = (cp: Signed) => `audit-checkpoint:${cp.seq}:${cp.hash}:${cp.at}`;
const chainSigned = (cp: Signed, chainId: string) => `audit-checkpoint-chain:${chainId}:${cp.seq}:${cp.hash}:${cp.at}`;

/** Why a checkpoint does not verify under these keys, or null when it does. */
export function checkpointProblem(cp: Checkpoint, keys: AuditKeyring): string | null {
  const problem = signatureProblem(keys, cp, signed(cp));
  if (problem || cp.chainId === undefined) return problem;
  const chain = signatureProblem(keys, { ...cp, signature: cp.chainSignature ?? "" }, chainSigned(cp, cp.chainId));
  return chain ? `its chain's name: ${chain}` : null;
}

/**
 * Signs the current head and keeps the checkpoint in the database and in every sink (outside the
 * database is what makes a removed tail visible). Returns null on an empty chain.
 */
export async function writeCheckpoint(db: Db, signer: AuditSigner, sinks: AuditArchiveSink[]): Promise<Checkpoint | null> {
  const [head, chainId] = await Promise.all([db.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } }), chainIdOf(db)]);
  if (!head) return null;
  const body = { seq: Number(head.seq), hash: head.hash, at: new Date().toISOString() };
  const chain = chainId ? { chainId, chainSignature: signer.sign(chainSigned(body, chainId)) } : {};
  const cp: Checkpoint = { ...body, alg: signer.alg, keyId: signer.keyId, signature: signer.sign(signed(body)), ...chain };
  await db.auditCheckpoint.createMany({ data: [{ seq: head.seq, hash: cp.hash, at: new Date(cp.at), keyId: cp.keyId, alg: cp.alg, signature: cp.signature }], skipDuplicates: true });
  for (const sink of sinks) await sink.writeCheckpoint({ ...cp });
  return cp;
}

/** The newest checkpoint, from the database or any sink, whichever reaches furthest. */
export async function latestCheckpoint(db: Db, sinks: AuditArchiveSink[]): Promise<Checkpoint | null> {
  const row = await db.auditCheckpoint.findFirst({ orderBy: { seq: "desc" } });
  const candidates: Checkpoint[] = row ? [{ seq: Number(row.seq), hash: row.hash, at: row.at.toISOString(), alg: row.alg as Checkpoint["alg"], keyId: row.keyId, signature: row.signature }] : [];
  for (const sink of sinks) {
    const cp = await sink.latestCheckpoint();
    if (cp) candidates.push(cp as unknown as Checkpoint);
  }
  return candidates.sort((a, b) => b.seq - a.seq)[0] ?? null;
}
