"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../_trpc/client";
import { useActorLabels } from "./actor-names";
import { ErrorState } from "./query-states";
import { formatDateTime, formatRelative } from "./time";
import { useNow } from "./use-now";

const REFRESH_MS = 5_000;

/** Shared context at a glance: live entries per scope and the last five writes. */
export function SharedContextCard() {
  const trpc = useTRPC();
  const query = useQuery(trpc.context.summary.queryOptions({}, { refetchInterval: REFRESH_MS }));
  const now = useNow(5_000);
  const total = query.data?.scopes.reduce((n, s) => n + s.entries, 0) ?? 0;
  const label = useActorLabels(query.data?.lastWrites.map((w) => w.actor) ?? []);
  return (
    <section aria-labelledby="context-card-heading" className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="context-card">
      <div className="flex items-baseline justify-between gap-3">
        <h2 id="context-card-heading" className="text-sm font-semibold text-slate-900">
          Shared context
        </h2>
        <Link href="/context" className="text-xs font-medium text-indigo-600 hover:text-indigo-800">
          Open →
        </Link>
      </div>
      {query.isPending ? (
        <div role="status" className="mt-4 space-y-3">
          <span className="sr-only">Loading shared context…</span>
          {[0, 1, 2].map((i) => (
            <div key={i} className="h-4 animate-pulse rounded bg-slate-100" />
          ))}
        </div>
      ) : query.isError && !query.data ? (
        <div className="mt-3">
          <ErrorState title="Could not load shared context" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        </div>
      ) : (
        <>
          <p className="mt-3 text-2xl font-semibold tabular-nums text-slate-900" data-testid="context-total">
            {total} <span className="text-sm font-normal text-slate-500">{total === 1 ? "live entry" : "live entries"}</span>
          </p>
          {query.data.scopes.length === 0 ? (
            <p className="mt-2 text-sm text-slate-500">No entries yet. GPT, Cursor and operators share state here with PUT /ai/context.</p>
          ) : (
            <ul className="mt-3 flex flex-wrap gap-1.5" aria-label="Entries per scope">
              {query.data.scopes.map((s) => (
                <li key={s.scope}>
                  <Link
                    href={`/context?scope=${encodeURIComponent(s.scope)}`}
                    className="inline-flex items-center gap-1.5 rounded-full bg-slate-100 px-2.5 py-0.5 font-mono text-xs text-slate-700 hover:bg-indigo-50 hover:text-indigo-700"
                  >
                    {s.scope} <span className="font-sans font-semibold">{s.entries}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {query.data.lastWrites.length > 0 && (
            <>
              <h3 className="mt-5 text-xs font-semibold uppercase tracking-wide text-slate-500">Last writes</h3>
              <ul className="mt-1 divide-y divide-slate-100" data-testid="context-last-writes">
                {query.data.lastWrites.map((w) => (
                  <li key={w.auditSeq} className="flex items-start gap-2 py-2 text-xs">
                    <span className={`mt-1 h-1.5 w-1.5 shrink-0 rounded-full ${w.operation === "delete" ? "bg-red-500" : w.conflict ? "bg-amber-500" : "bg-indigo-500"}`} aria-hidden="true" />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate font-mono text-slate-800" title={`${w.scope} / ${w.key}`}>
                        {w.key}
                      </span>
                      <span className="block truncate text-slate-500">
                        {w.operation === "delete" ? "deleted" : `v${w.version}`} by {label(w.actor).name}
                        {w.conflict && " · conflict"}
                      </span>
                    </span>
                    <time dateTime={w.at} title={formatDateTime(w.at)} className="shrink-0 tabular-nums text-slate-500">
                      {formatRelative(w.at, now)}
                    </time>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
