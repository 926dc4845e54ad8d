"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { btn } from "../../../_components/buttons";
import { useTRPC } from "../../../_trpc/client";
import { Empty, Failure, Loading } from "../../approvals/_components/states";
import { FindingCard } from "./finding-card";

const SEVERITY_HEADINGS = [
  ["critical", "Critical"],
  ["warning", "Warnings"],
  ["info", "For information"],
] as const;

/** Today's briefing, the open findings by severity, then the dismissed and done ones; Refresh recomputes now. */
export function SuggestionsView({ canAct }: { canAct: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const daily = useQuery(trpc.suggestions.daily.queryOptions({ status: "all" }, { refetchInterval: 60_000 }));
  const refresh = useMutation(
    trpc.suggestions.refresh.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.suggestions.daily.queryKey({ status: "all" }), data);
        void queryClient.invalidateQueries({ queryKey: trpc.suggestions.top.queryKey() });
      },
    }),
  );

  if (daily.isPending) return <Loading label="Computing today's suggestions" />;
  if (daily.isError) return <Failure message={daily.error.message} onRetry={() => void daily.refetch()} />;
  const { briefing, findings, counts } = daily.data;
  const open = findings.filter((f) => f.status === "open");
  const closed = findings.filter((f) => f.status !== "open");

  return (
    <div className="space-y-6" data-testid="suggestions">
      <section className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="briefing">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 className="text-sm font-semibold text-slate-900">Briefing for {briefing.day}</h2>
            <p className="mt-0.5 text-xs text-slate-500">
              {briefing.source === "model" ? `Written by ${briefing.model}, checked against the evidence` : "From the rules"} · computed {new Date(briefing.computedAt).toLocaleTimeString()} ·{" "}
              {counts.critical} critical, {counts.warning} warnings, {counts.info} info
            </p>
          </div>
          <button type="button" className={btn.secondary} onClick={() => refresh.mutate({})} disabled={refresh.isPending} data-testid="refresh">
            {refresh.isPending ? "Refreshing…" : "Refresh"}
          </button>
        </div>
        <p className="mt-3 text-sm leading-relaxed text-slate-800" data-testid="briefing-text">
          {briefing.text}
        </p>
        {briefing.gaps.length > 0 && (
          <ul className="mt-3 list-disc pl-5 text-xs text-amber-800">
            {briefing.gaps.map((g) => (
              <li key={g}>Not read: {g}</li>
            ))}
          </ul>
        )}
        {refresh.error && (
          <p role="alert" className="mt-2 text-xs text-red-700">
            {refresh.error.message}
          </p>
        )}
      </section>

      {open.length === 0 && <Empty title="Nothing to do today">No rule found a problem in the probes, CI runs, audit log, intents, indexes, keys or context. New findings appear here.</Empty>}
      {SEVERITY_HEADINGS.map(([severity, heading]) => {
        const items = open.filter((f) => f.severity === severity);
        if (items.length === 0) return null;
        return (
          <section key={severity} aria-label={heading}>
            <h2 className="mb-2 text-sm font-semibold text-slate-900">
              {heading} <span className="font-normal text-slate-500">({items.length})</span>
            </h2>
            <ul className="space-y-3">
              {items.map((f) => (
                <FindingCard key={f.id} finding={f} canAct={canAct} />
              ))}
            </ul>
          </section>
        );
      })}
      {closed.length > 0 && (
        <details className="rounded-xl border border-slate-200 bg-slate-50 p-4" data-testid="closed">
          <summary className="cursor-pointer text-sm font-medium text-slate-700">Dismissed and done ({closed.length})</summary>
          <ul className="mt-3 space-y-3">
            {closed.map((f) => (
              <FindingCard key={f.id} finding={f} canAct={canAct} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
