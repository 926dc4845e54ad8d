/**
 * The intent state machine, as data. The service checks it before each compare-and-set, and the
 * database trigger `intent_before_update` (migration 20261127003000_intents) holds the same table.
 */
export const STATUSES = ["pending_approval", "approved", "executing", "succeeded", "failed", "denied", "expired", "cancelled"] as const;
export type IntentStatus = (typeof STATUSES)[number];

export const TRANSITIONS: Readonly<Record<IntentStatus, readonly IntentStatus[]>> = {
  pending_approval: ["approved", "denied", "expired", "cancelled"],
  approved: ["executing", "cancelled"],
  executing: ["succeeded", "failed"],
  succeeded: [],
  failed: [],
  denied: [],
  expired: [],
  cancelled: [],
};

export const TERMINAL: readonly IntentStatus[] = STATUSES.filter((s) => TRANSITIONS[s].length === 0);

export function canTransition(from: IntentStatus, to: IntentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Approval tally for a pending intent: approved once enough approvals and no denial. */
export function tally(decisions: readonly ("approve" | "deny")[], required: number): "approved" | "denied" | "pending_approval" {
  if (decisions.includes("deny")) return "denied";
  return decisions.filter((d) => d === "approve").length >= required ? "approved" : "pending_approval";
}
