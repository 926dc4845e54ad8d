import { hash } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * The hash chain of the audit log: hash = sha256(prev_hash ‖ RFC 8785 canonical JSON of the row's
 * content). The database computes the same in `audit_append` (see the migration) when it links a
 * row to the head; `seq` is not hashed, the links fix the order and verify checks its contiguity.
 */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainedContent {
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
}

export function canonicalContent(row: ChainedContent): string {
  const content: ChainedContent = {
    at: row.at,
    actorType: row.actorType,
    actorId: row.actorId,
    clientId: row.clientId,
    action: row.action,
    resourceType: row.resourceType,
    target: row.target,
    outcome: row.outcome,
    status: row.status,
    latencyMs: row.latencyMs,
    requestId: row.requestId,
    surface: row.surface,
    ip: row.ip,
    input: row.input ?? null,
    detail: row.detail ?? null,
  };
  const text = canonicalize(content);
  if (text === undefined) throw new Error("audit row cannot be canonicalized");
  return text;
}

export function chainHash(prevHash: string, row: ChainedContent): string {
  return hash("sha256", prevHash + canonicalContent(row), "hex");
}
