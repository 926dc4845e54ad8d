"use client";

import { btn } from "../../../_components/buttons";
import type { RouterOutputs } from "../../../_trpc/client";

type Progress = RouterOutputs["connections"]["progress"];

/** Runs the probes now; while they run, how many are done out of how many. */
export function RefreshButton({ onRefresh, pending, progress, allowed }: { onRefresh: () => void; pending: boolean; progress?: Progress; allowed: boolean }) {
  const running = pending || Boolean(progress?.running);
  const done = progress?.running ? progress.done.length : 0;
  const total = progress?.running ? progress.total : 0;
  return (
    <div className="flex flex-col items-end gap-1.5">
      <button
        type="button"
        className={btn.primary}
        onClick={onRefresh}
        disabled={running || !allowed}
        title={allowed ? "Probe every connection now" : "Running the probes needs the operator role"}
        data-testid="refresh-connections"
      >
        {running ? "Probing…" : "Refresh"}
      </button>
      {running && (
        <div className="w-44" role="status" aria-live="polite" data-testid="refresh-progress">
          <div className="h-1.5 overflow-hidden rounded-full bg-slate-200">
            <div className="h-full rounded-full bg-indigo-500 transition-all" style={{ width: total ? `${Math.round((done / total) * 100)}%` : "15%" }} />
          </div>
          <p className="mt-0.5 text-right text-[11px] tabular-nums text-slate-500">{total ? `${done} of ${total} checked` : "starting…"}</p>
        </div>
      )}
    </div>
  );
}
