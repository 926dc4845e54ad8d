"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../../_trpc/client";
import { btn } from "../../../_components/buttons";
import { EmptyState, ErrorState, LoadingRows } from "../../../_components/query-states";
import { formatDateTime } from "../../../_components/time";

/** Deliveries that ran out of tries (or were refused for good), newest first, each with a retry. */
export function DeadLetters() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const dead = useQuery(trpc.notifications.deadLetters.queryOptions({ limit: 50 }));
  const retry = useMutation(trpc.notifications.retry.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.notifications.pathKey() }) }));
  return (
    <section aria-labelledby="dead-heading" className="space-y-3">
      <h2 id="dead-heading" className="text-sm font-semibold text-slate-900">
        Dead letters
      </h2>
      {dead.isPending ? (
        <LoadingRows rows={3} label="Loading dead letters…" />
      ) : dead.isError ? (
        <ErrorState title="Could not load dead letters" error={dead.error} onRetry={() => void dead.refetch()} />
      ) : dead.data.items.length === 0 ? (
        <EmptyState title="No dead letters">Every notification was delivered or is still being tried.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="dead-letters">
          {dead.data.items.map((d) => (
            <li key={d.id} className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center" data-testid="dead-letter">
              <div className="min-w-0 flex-1 text-sm">
                <p className="font-medium text-slate-900">
                  {d.eventType} → {d.channel}
                  {d.recipient ? ` (${d.recipient})` : ""}
                </p>
                <p className="truncate text-xs text-slate-500">
                  {d.attempts} tries, last {d.lastAttemptAt ? formatDateTime(d.lastAttemptAt) : "never"}: {d.lastError ?? "no error recorded"}
                </p>
              </div>
              <button type="button" className={btn.secondary} disabled={retry.isPending} onClick={() => retry.mutate({ id: d.id })}>
                Retry
              </button>
            </li>
          ))}
        </ul>
      )}
      {retry.error && <p className="text-sm text-red-700">{retry.error.message}</p>}
    </section>
  );
}
