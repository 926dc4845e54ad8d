"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../_trpc/client";
import { ErrorState } from "./query-states";
import { formatDateTime, formatRelative } from "./time";
import { useNow } from "./use-now";

const REFRESH_MS = 5_000;

/** Live IDE sessions (`orchestrator cursor sync`): who is working on what, where, with the symbols their changes touch. */
export function LiveSessionsCard() {
  const trpc = useTRPC();
  const query = useQuery(trpc.cursor.list.queryOptions({ limit: 20 }, { refetchInterval: REFRESH_MS }));
  const now = useNow(5_000);
  return (
    <section aria-labelledby="sessions-card-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="sessions-card">
      <div className="flex items-baseline justify-between gap-3">
        <h2 id="sessions-card-heading" className="text-sm font-semibold text-slate-900">
          Live IDE sessions
        </h2>
        <span className="text-xs text-slate-500">npx orchestrator cursor sync --watch</span>
      </div>
      {query.isPending ? (
        <div role="status" className="mt-4 h-4 animate-pulse rounded bg-slate-100">
          <span className="sr-only">Loading sessions…</span>
        </div>
      ) : query.isError && !query.data ? (
        <div className="mt-3">
          <ErrorState title="Could not load sessions" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        </div>
      ) : query.data.items.length === 0 ? (
        <p className="mt-3 text-sm text-slate-500">No IDE is syncing right now.</p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100" data-testid="sessions-list">
          {query.data.items.map((s) => {
            const symbols = [...new Set(s.changedFiles.flatMap((f) => f.symbols))].slice(0, 8);
            return (
              <li key={s.sessionId} className="py-2 text-xs">
                <div className="flex items-baseline justify-between gap-2">
                  <Link href={`/context?scope=${encodeURIComponent(`session:${s.sessionId}`)}`} className="truncate font-mono text-slate-800 hover:text-indigo-700" title={s.sessionId}>
                    {s.sessionId}
                  </Link>
                  <time dateTime={s.updatedAt} title={`Last push ${formatDateTime(s.updatedAt)}; state changed ${formatDateTime(s.changedAt)}`} className="shrink-0 tabular-nums text-slate-500">
                    {formatRelative(s.updatedAt, now)}
                  </time>
                </div>
                <p className="mt-0.5 truncate text-slate-600">
                  {s.owner} · {s.repo}@{s.branch ?? "(detached)"} {s.head?.slice(0, 8)}
                  {s.activeFile && (
                    <>
                      {" "}
                      · editing <span className="font-mono">{s.activeFile}</span>
                    </>
                  )}
                </p>
                <p className="mt-0.5 truncate text-slate-500">
                  {s.totals.files} files (+{s.totals.additions} −{s.totals.deletions}){symbols.length > 0 && <> · {symbols.join(", ")}</>}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
