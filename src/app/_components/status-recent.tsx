"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../_trpc/client";
import { OutcomeBadge } from "./badge";
import { ErrorState } from "./query-states";
import { formatDateTime, formatRelative } from "./time";
import { useNow } from "./use-now";

const REFRESH_MS = 5_000;

/** The latest audited events, newest first. */
export function RecentActivityCard() {
  const trpc = useTRPC();
  const query = useQuery(trpc.audit.recent.queryOptions({ limit: 8 }, { refetchInterval: REFRESH_MS }));
  const now = useNow(5_000);
  return (
    <section aria-labelledby="recent-heading" className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="recent-card">
      <div className="flex items-baseline justify-between gap-3">
        <h2 id="recent-heading" className="text-sm font-semibold text-slate-900">
          Recent activity
        </h2>
        <Link href="/audit" className="text-xs font-medium text-indigo-600 hover:text-indigo-800">
          Audit log →
        </Link>
      </div>
      <div className="mt-3 flex-1">
        {query.isPending ? (
          <div role="status" className="space-y-3">
            <span className="sr-only">Loading recent activity…</span>
            {[0, 1, 2, 3].map((i) => (
              <div key={i} className="h-4 animate-pulse rounded bg-slate-100" />
            ))}
          </div>
        ) : query.isError && !query.data ? (
          <ErrorState title="Could not load recent activity" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        ) : query.data.items.length === 0 ? (
          <p className="py-6 text-center text-sm text-slate-500">No activity yet. API calls and dashboard changes appear here as they happen.</p>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="recent-list">
            {query.data.items.map((e) => (
              <li key={e.seq} className="flex items-center gap-3 py-2 text-sm">
                <div className="min-w-0 flex-1">
                  <Link href={`/audit?event=${e.seq}`} className="block truncate font-mono text-xs font-medium text-slate-800 hover:text-indigo-700">
                    {e.action}
                    {e.target && <span className="font-normal text-slate-500"> · {e.target}</span>}
                  </Link>
                  <span className="block truncate text-xs text-slate-500">
                    {e.actorName ?? e.actorId}
                    {e.clientId && e.clientId !== e.actorId ? ` (${e.clientId})` : ""} · {e.surface}
                  </span>
                </div>
                <OutcomeBadge outcome={e.outcome} />
                <time dateTime={e.at} title={formatDateTime(e.at)} className="w-20 shrink-0 text-right text-xs tabular-nums text-slate-500">
                  {formatRelative(e.at, now)}
                </time>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
