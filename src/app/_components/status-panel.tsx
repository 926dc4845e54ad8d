"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../_trpc/client";
import { ConnectionCard } from "./connection-card";
import { EmbeddedDefaults } from "./embedded-defaults";
import { StatusError } from "./status-error";
import { StatusSkeleton } from "./status-skeleton";
import { StatusSummary } from "./status-summary";

const REFRESH_MS = 10_000;

function httpStatusOf(error: unknown): number | undefined {
  return (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
}

/** Live status of the orchestrator and each connection, refreshed every 10 seconds. */
export function StatusPanel() {
  const trpc = useTRPC();
  const query = useQuery(trpc.status.get.queryOptions({}, { refetchInterval: REFRESH_MS }));

  if (query.isPending) return <StatusSkeleton />;
  if (query.isError && !query.data) {
    return (
      <StatusError
        message={query.error.message}
        unauthorized={httpStatusOf(query.error) === 401}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
      />
    );
  }

  const status = query.data;
  return (
    <div className="space-y-6" data-testid="status-panel">
      {query.isError && (
        <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Showing the last known status: the latest refresh failed ({query.error.message}).
        </p>
      )}
      <StatusSummary status={status} updatedAt={query.dataUpdatedAt} />
      <section aria-labelledby="connections-heading">
        <h2 id="connections-heading" className="mb-3 text-sm font-semibold text-slate-900">
          Connections
        </h2>
        <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {status.connections.map((c) => (
            <ConnectionCard key={c.name} connection={c} />
          ))}
        </ul>
      </section>
      <EmbeddedDefaults items={status.embeddedDefaults} />
    </div>
  );
}
