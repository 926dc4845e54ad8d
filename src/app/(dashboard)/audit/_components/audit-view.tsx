"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { useTRPC, useTRPCClient } from "../../../_trpc/client";
import { btn } from "../../../_components/buttons";
import { PageTitle } from "../../../_components/page-title";
import { EmptyState, ErrorState, LoadingRows } from "../../../_components/query-states";
import { useCursorPages } from "../../../_components/use-cursor-pages";
import { useNow } from "../../../_components/use-now";
import { ActiveFilters, AuditFilterBar } from "./audit-filters";
import { AuditDetail } from "./audit-detail";
import { AuditTable } from "./audit-table";
import { filtersFromParams, hasFilters, searchOf, type AuditFilters } from "./filters";
import { useVerifyChain, VerifyButton, VerifyResult } from "./verify-chain";

const PAGE_SIZE = 50;

/** The Audit page: filters and the open event live in the URL, pages load older events on demand. */
export function AuditView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = filtersFromParams(params);
  const selectedRaw = Number(params.get("event"));
  const selected = Number.isInteger(selectedRaw) && selectedRaw > 0 ? selectedRaw : null;
  const now = useNow(30_000);
  const verify = useVerifyChain();
  const [dismissedAt, setDismissedAt] = useState(0);

  const go = useCallback((f: AuditFilters, event?: number | null) => router.replace(`${pathname}${searchOf(f, event)}`, { scroll: false }), [router, pathname]);
  const client = useTRPCClient();
  const input = { ...filters, limit: PAGE_SIZE };
  const query = useCursorPages([...trpc.audit.list.pathKey(), { input, type: "infinite" }], (cursor: number | null, signal) =>
    client.audit.list.query({ ...input, cursor: cursor ?? undefined }, { signal }),
  );
  const events = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filterKey = searchOf(filters);
  const closeDetail = useCallback(() => go(filtersFromParams(params), null), [go, params]);

  return (
    <>
      <PageTitle title="Audit" description="Every API call, dashboard change and refusal, hash-chained so tampering shows." actions={<VerifyButton verify={verify} />} />
      <div className="space-y-4">
        {(verify.dataUpdatedAt > dismissedAt || verify.errorUpdatedAt > dismissedAt) && (
          <VerifyResult verify={verify} onShowEvent={(seq) => go(filters, seq)} onDismiss={() => setDismissedAt(Math.max(verify.dataUpdatedAt, verify.errorUpdatedAt))} />
        )}
        <AuditFilterBar key={filterKey} filters={filters} onApply={(f) => go(f)} />
        <div className="flex flex-wrap items-center justify-between gap-2">
          <ActiveFilters filters={filters} onApply={(f) => go(f)} />
          <button type="button" onClick={() => void query.refetch()} disabled={query.isFetching} className="ml-auto text-xs font-medium text-slate-500 hover:text-slate-800">
            {query.isFetching && !query.isFetchingNextPage ? "Refreshing…" : "Refresh"}
          </button>
        </div>
        {query.isPending ? (
          <LoadingRows rows={8} label="Loading audit events…" />
        ) : query.isError && events.length === 0 ? (
          <ErrorState title="Could not load the audit log" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        ) : events.length === 0 ? (
          <EmptyState title={hasFilters(filters) ? "No events match these filters" : "No audit events yet"}>
            {hasFilters(filters) ? "Widen the time range or remove a filter." : "Calls to the API and changes made here will appear as they happen."}
          </EmptyState>
        ) : (
          <>
            <AuditTable events={events} selected={selected} onSelect={(seq) => go(filters, seq)} now={now} />
            <div className="flex flex-col items-center gap-2 py-2">
              {query.hasNextPage ? (
                <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage} className={btn.secondary} data-testid="load-more">
                  {query.isFetchingNextPage ? "Loading…" : "Load older events"}
                </button>
              ) : (
                <p className="text-xs text-slate-400">{events.length === 1 ? "1 event" : `${events.length} events`} · the end of the log</p>
              )}
              {query.isFetchNextPageError && <p className="text-sm text-red-700">Could not load more: {query.error?.message}</p>}
            </div>
          </>
        )}
      </div>
      {selected && <AuditDetail key={selected} seq={selected} known={events.find((e) => e.seq === selected)} onClose={closeDetail} onFilter={(f) => go(f)} />}
    </>
  );
}
