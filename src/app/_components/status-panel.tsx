"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../_trpc/client";
import { ConnectionCard } from "./connection-card";
import { EmbeddedDefaults } from "./embedded-defaults";
import { httpStatusOf } from "./query-states";
import { JobsCard } from "./status-jobs";
import { SharedContextCard } from "./status-context";
import { StatusError } from "./status-error";
import { RecentActivityCard } from "./status-recent";
import { LiveSessionsCard } from "./status-sessions";
import { StatusSkeleton } from "./status-skeleton";
import { StatusSummary } from "./status-summary";
import { SuggestionsCard } from "./status-suggestions";

const REFRESH_MS = 10_000;
const ACTIVITY_REFRESH_MS = 5_000;

/**
 * Live status: the API card (health, version, uptime, request and error rates), shared context,
 * each connection, the jobs and the latest activity, each refreshed on its own interval.
 */
export function StatusPanel() {
  const trpc = useTRPC();
  const query = useQuery(trpc.status.get.queryOptions({}, { refetchInterval: REFRESH_MS }));
  const activity = useQuery(trpc.status.activity.queryOptions({}, { refetchInterval: ACTIVITY_REFRESH_MS }));

  if (query.isPending) return <StatusSkeleton />;
  if (query.isError && !query.data) {
    return <StatusError message={query.error.message} unauthorized={httpStatusOf(query.error) === 401} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }

  const status = query.data;
  return (
    <div className="space-y-6" data-testid="status-panel">
      {query.isError && (
        <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Showing the last known status: the latest refresh failed ({query.error.message}).
        </p>
      )}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <StatusSummary status={status} updatedAt={query.dataUpdatedAt} activity={activity.data} />
        </div>
        <SharedContextCard />
      </div>
      <SuggestionsCard />
      <section aria-labelledby="connections-heading">
        <div className="mb-3 flex items-baseline justify-between gap-3">
          <h2 id="connections-heading" className="text-sm font-semibold text-slate-900">
            Connections
          </h2>
          <Link href="/maps" className="text-xs font-medium text-indigo-600 hover:text-indigo-800" data-testid="connections-page-link">
            Latency and uptime →
          </Link>
        </div>
        <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {status.connections.map((c) => (
            <ConnectionCard key={c.name} connection={c} />
          ))}
        </ul>
      </section>
      <LiveSessionsCard />
      <JobsCard />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <RecentActivityCard />
        <EmbeddedDefaults items={status.embeddedDefaults} />
      </div>
    </div>
  );
}
