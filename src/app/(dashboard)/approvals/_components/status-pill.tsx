import type { RouterOutputs } from "../../../_trpc/client";

export type IntentView = RouterOutputs["intents"]["inbox"]["items"][number];
export type IntentStatus = IntentView["status"];

const STYLE: Record<IntentStatus, string> = {
  pending_approval: "bg-amber-50 text-amber-800 ring-amber-600/20",
  approved: "bg-sky-50 text-sky-700 ring-sky-600/20",
  executing: "bg-sky-50 text-sky-700 ring-sky-600/20",
  succeeded: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  failed: "bg-red-50 text-red-700 ring-red-600/20",
  denied: "bg-red-50 text-red-700 ring-red-600/20",
  expired: "bg-slate-100 text-slate-600 ring-slate-500/20",
  cancelled: "bg-slate-100 text-slate-600 ring-slate-500/20",
};

export const STATUS_LABEL: Record<IntentStatus, string> = {
  pending_approval: "Pending approval",
  approved: "Approved",
  executing: "Executing",
  succeeded: "Succeeded",
  failed: "Failed",
  denied: "Denied",
  expired: "Expired",
  cancelled: "Cancelled",
};

export function StatusPill({ status }: { status: IntentStatus }) {
  return (
    <span className={`inline-flex shrink-0 items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLE[status]}`} data-testid="intent-status" data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}

/** "deploy acme/web@release-1 → production", from the target's fields; agent text, rendered as text. */
export function describeTarget(target: Record<string, unknown>): string {
  const t = target as Record<string, string | undefined>;
  const where = t.repo ? `${t.repo}${t.ref ? `@${t.ref}` : ""}` : t.server ? `server ${t.server}${t.app ? ` app ${t.app}` : ""}` : "";
  return [where, t.environment ? `→ ${t.environment}` : ""].filter(Boolean).join(" ");
}
