import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** The hash chain of the audit log: hash = sha256(prev_hash ‖ RFC 8785 canonical JSON of the row). */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainedRow {
  seq: number;
  at: string;
  actorType: string;
  actorId: string;
  clientId: string | null;
  action: string;
  resourceType: string;
  target: string | null;
  outcome: string;
  status: number;
  latencyMs: number | null;
  requestId: string;
  surface: string;
  ip: string | null;
  input: unknown;
  detail: unknown;
  prevHash: string;
}

export function hashRow(row: ChainedRow): string {
  const canonical = canonicalize(row);
  if (canonical === undefined) throw new Error("audit row cannot be canonicalized");
  return createHash("sha256").update(row.prevHash).update(canonical).digest("hex");
}
