import type { RouterOutputs } from "../_trpc/client";

type Status = RouterOutputs["status"]["get"];
export type ConnectionState = Status["connections"][number]["state"];

const STATE_STYLE: Record<ConnectionState, { label: string; pill: string; dot: string }> = {
  up: { label: "Up", pill: "bg-emerald-50 text-emerald-700 ring-emerald-600/20", dot: "bg-emerald-500" },
  down: { label: "Down", pill: "bg-red-50 text-red-700 ring-red-600/20", dot: "bg-red-500" },
  not_configured: { label: "Not configured", pill: "bg-slate-100 text-slate-600 ring-slate-500/20", dot: "bg-slate-400" },
  unchecked: { label: "Unchecked", pill: "bg-amber-50 text-amber-800 ring-amber-600/20", dot: "bg-amber-500" },
};

const pillBase = "inline-flex shrink-0 items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset";

export function StateBadge({ state }: { state: ConnectionState }) {
  const style = STATE_STYLE[state];
  return (
    <span className={`${pillBase} ${style.pill}`} data-testid="connection-state">
      <span className={`h-1.5 w-1.5 rounded-full ${style.dot}`} aria-hidden="true" />
      {style.label}
    </span>
  );
}

export function OverallBadge({ status }: { status: Status["status"] }) {
  const ok = status === "ok";
  return (
    <span className={`${pillBase} px-3 py-1 text-sm ${ok ? STATE_STYLE.up.pill : STATE_STYLE.down.pill}`} data-testid="overall-status" data-status={status}>
      <span className={`h-2 w-2 rounded-full ${ok ? STATE_STYLE.up.dot : STATE_STYLE.down.dot}`} aria-hidden="true" />
      {ok ? "Operational" : "Degraded"}
    </span>
  );
}
