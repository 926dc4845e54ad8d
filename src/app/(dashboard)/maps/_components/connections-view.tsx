"use client";

import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "../../../_trpc/client";
import { OverallBadge } from "../../../_components/state-badge";
import { PageTitle } from "../../../_components/page-title";
import { EmptyState, ErrorState, LoadingRows } from "../../../_components/query-states";
import { formatDateTime, formatRelative } from "../../../_components/time";
import { useNow } from "../../../_components/use-now";
import { ConnectionPanel } from "./connection-panel";
import { LayerMap } from "./layer-map";
import { RefreshButton } from "./refresh-button";

const LIST_MS = 10_000;
const LIST_WHILE_RUNNING_MS = 1_000;
const HISTORY_MS = 60_000;
const PROGRESS_MS = 400;

/**
 * The Connections page: every connection's state and history, live (the list is polled, faster while
 * a probe run is going; the histories reload whenever a new run has landed), and a Refresh button.
 */
export function ConnectionsView({ canRefresh }: { canRefresh: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(5_000);
  const refresh = useMutation(
    trpc.connections.refresh.mutationOptions({
      // the run's result shows once the cards have reloaded too, so the two never disagree
      onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.connections.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() })]),
    }),
  );
  const list = useQuery(trpc.connections.list.queryOptions({}, { refetchInterval: (q) => (q.state.data?.progress.running ? LIST_WHILE_RUNNING_MS : LIST_MS) }));
  const running = refresh.isPending || Boolean(list.data?.progress.running);
  const progress = useQuery(trpc.connections.progress.queryOptions({}, { enabled: running, refetchInterval: running ? PROGRESS_MS : false, staleTime: 0 }));
  const configured = list.data?.connections.filter((c) => c.configured) ?? [];
  const histories = useQueries({
    queries: configured.map((c) => trpc.connections.history.queryOptions({ id: c.id }, { refetchInterval: HISTORY_MS })),
  });

  // a run that landed (the schedule, another user's Refresh) brings new latency and uptime
  const lastRunAt = list.data?.lastRunAt ?? null;
  const seenRun = useRef<string | null>(null);
  useEffect(() => {
    if (lastRunAt && seenRun.current && lastRunAt !== seenRun.current) void queryClient.invalidateQueries({ queryKey: trpc.connections.history.pathKey() });
    seenRun.current = lastRunAt;
  }, [lastRunAt, queryClient, trpc]);

  const title = (
    <PageTitle
      title="Connections"
      description="Health, latency and uptime of every layer the orchestrator talks to."
      actions={<RefreshButton onRefresh={() => refresh.mutate({})} pending={refresh.isPending} progress={progress.data ?? list.data?.progress} allowed={canRefresh} />}
    />
  );
  if (list.isPending) {
    return (
      <>
        {title}
        <LoadingRows rows={6} label="Loading connections…" />
      </>
    );
  }
  if (list.isError && !list.data) {
    return (
      <>
        {title}
        <ErrorState title="Could not load the connections" error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      </>
    );
  }

  const data = list.data;
  const historyOf = new Map(configured.map((c, i) => [c.id, histories[i]]));
  const unconfigured = data.connections.filter((c) => !c.configured);
  const r = refresh.data;
  return (
    <div data-testid="connections-view">
      {title}
      <div className="mb-4 flex flex-wrap items-center gap-3 text-sm">
        <OverallBadge status={data.status} />
        <span className="text-slate-500" data-testid="connections-summary">
          {configured.filter((c) => c.state === "up").length} up · {configured.filter((c) => c.state === "down").length} down · {unconfigured.length} not configured
        </span>
        <span className="text-xs text-slate-400">
          Last run:{" "}
          {data.lastRunAt ? (
            <time dateTime={data.lastRunAt} title={formatDateTime(data.lastRunAt)}>
              {formatRelative(data.lastRunAt, now)}
            </time>
          ) : (
            "never"
          )}
        </span>
      </div>
      {list.isError && (
        <p role="alert" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Showing the last known state: the latest update failed ({list.error.message}).
        </p>
      )}
      {refresh.isError && (
        <p role="alert" className="mb-4 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="refresh-error">
          Refresh failed: {refresh.error.message}
        </p>
      )}
      {r && !refresh.isPending && (
        <p className="mb-4 rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700" data-testid="refresh-result">
          {r.ran ? `Probed ${r.results.length} in ${r.durationMs} ms` : "A run was already going; these are its results"}
          {r.results.some((x) => x.state === "down")
            ? ` · down: ${r.results
                .filter((x) => x.state === "down")
                .map((x) => x.id)
                .join(", ")}`
            : " · all answered"}
        </p>
      )}
      <div className="mb-6 grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <LayerMap connections={data.connections} />
        </div>
        {unconfigured.length > 0 && (
          <section className="self-start rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="not-configured">
            <h2 className="text-sm font-semibold text-slate-900">Not configured</h2>
            <p className="mt-1 text-xs text-slate-500">Unused, so never down. Configure them in the environment to probe them.</p>
            <ul className="mt-2 flex flex-wrap gap-1.5">
              {unconfigured.map((c) => (
                <li key={c.id} id={`connection-${c.id}`} className="rounded-full bg-slate-100 px-2.5 py-0.5 text-xs text-slate-600" data-testid={`connection-panel-${c.id}`} data-state={c.state}>
                  {c.label}
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
      <section aria-label="Configured connections">
        {configured.length === 0 ? (
          <EmptyState title="No connection is configured">Set DATABASE_URL, REDIS_URL or an outside API in the environment; see .env.example.</EmptyState>
        ) : (
          <ul className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3" data-testid="connection-panels">
            {configured.map((c) => {
              const h = historyOf.get(c.id);
              return <ConnectionPanel key={c.id} connection={c} history={h?.data} historyError={h?.isError && !h.data ? h.error.message : undefined} now={now} />;
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
