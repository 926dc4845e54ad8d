"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../_trpc/client";
import { SeverityBadge, ageLabel } from "./severity-badge";

/** The three most pressing open suggestions (stored ones: the Status page never triggers a computation). */
export function SuggestionsCard() {
  const trpc = useTRPC();
  const top = useQuery(trpc.suggestions.top.queryOptions({ limit: 3 }, { refetchInterval: 60_000 }));
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="status-suggestions" aria-labelledby="status-suggestions-heading">
      <div className="mb-3 flex items-baseline justify-between gap-3">
        <h2 id="status-suggestions-heading" className="text-sm font-semibold text-slate-900">
          Suggestions
        </h2>
        <Link href="/suggestions" className="text-xs font-medium text-indigo-600 hover:text-indigo-800">
          All suggestions →
        </Link>
      </div>
      {top.isPending ? (
        <div className="h-12 animate-pulse rounded bg-slate-100" />
      ) : top.isError ? (
        <p className="text-sm text-red-700">{top.error.message}</p>
      ) : top.data.items.length === 0 ? (
        <p className="text-sm text-slate-500">Nothing open. Today&apos;s suggestions are computed on the Suggestions page or by the daily job.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {top.data.items.map((f) => (
            <li key={f.id} className="flex items-center gap-2 py-2 text-sm">
              <SeverityBadge severity={f.severity} />
              <Link href="/suggestions" className="min-w-0 flex-1 truncate text-slate-800 hover:text-indigo-700">
                {f.title}
              </Link>
              <span className="shrink-0 text-xs text-slate-500">{ageLabel(f.ageDays)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
