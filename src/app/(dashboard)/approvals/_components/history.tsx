"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";
import { fromLocalInput, toLocalInput } from "../../../_components/time";
import { IntentRow } from "./intent-row";
import { Empty, Failure, Loading } from "./states";
import { STATUS_LABEL, type IntentStatus, type IntentView } from "./status-pill";

const ACTIONS = ["deploy", "rollback", "run_workflow", "merge_pr", "create_issue", "purge_cache", "restart_service", "create_backup"] as const;
type Action = (typeof ACTIONS)[number];
interface Filters {
  status?: IntentStatus;
  action?: Action;
  clientId?: string;
  since?: string;
  until?: string;
}

const select = "mt-1 w-full rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm";

/** All intents with filters by status, action, client and time of proposal; "Load more" follows the cursor. */
export function History() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const [client, setClient] = useState("");
  const q = useInfiniteQuery(trpc.intents.history.infiniteQueryOptions({ ...filters, limit: 25 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }));
  const items: IntentView[] = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="space-y-4">
      <form
        className="grid grid-cols-1 gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters((f) => ({ ...f, clientId: client.trim() || undefined }));
        }}
        data-testid="history-filters"
      >
        <label className="text-sm font-medium text-slate-700">
          Status
          <select className={select} value={filters.status ?? ""} onChange={(e) => setFilters((f) => ({ ...f, status: (e.target.value || undefined) as IntentStatus | undefined }))}>
            <option value="">Any</option>
            {(Object.keys(STATUS_LABEL) as IntentStatus[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Action
          <select className={select} value={filters.action ?? ""} onChange={(e) => setFilters((f) => ({ ...f, action: (e.target.value || undefined) as Action | undefined }))}>
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Client
          <input className={select} value={client} onChange={(e) => setClient(e.target.value)} placeholder="e.g. gpt" maxLength={63} />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Proposed from
          <input
            type="datetime-local"
            className={select}
            value={toLocalInput(filters.since)}
            onChange={(e) => setFilters((f) => ({ ...f, since: fromLocalInput(e.target.value) }))}
            data-testid="history-since"
          />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Until
          <input
            type="datetime-local"
            className={select}
            value={toLocalInput(filters.until)}
            onChange={(e) => setFilters((f) => ({ ...f, until: fromLocalInput(e.target.value) }))}
            data-testid="history-until"
          />
        </label>
        <div className="flex items-end">
          <button type="submit" className="w-full rounded-lg bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700">
            Apply
          </button>
        </div>
      </form>
      {q.isPending ? (
        <Loading label="Loading intents" />
      ) : q.isError ? (
        <Failure message={q.error.message} onRetry={() => void q.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="No intents match">Change the filters, or wait for an agent to propose something.</Empty>
      ) : (
        <>
          <ul className="space-y-3" data-testid="history">
            {items.map((i) => (
              <IntentRow key={i.id} intent={i} />
            ))}
          </ul>
          {q.hasNextPage && (
            <button
              type="button"
              onClick={() => void q.fetchNextPage()}
              disabled={q.isFetchingNextPage}
              className="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
            >
              {q.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          )}
        </>
      )}
    </div>
  );
}
