"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../_trpc/client";
import { Badge, type Tone } from "./badge";
import { btn } from "./buttons";
import { ErrorState } from "./query-states";
import { formatDateTime, formatRelative } from "./time";
import { useNow } from "./use-now";

const REFRESH_MS = 10_000;

type RunStatus = "running" | "succeeded" | "failed";
const RUN_TONE: Record<RunStatus, Tone> = { running: "sky", succeeded: "green", failed: "red" };

/**
 * The cron monitor: each job's schedule, last run, last success, next due time and failures in a
 * row, late jobs flagged; operators can run a job now (audited).
 */
export function JobsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery(trpc.jobs.list.queryOptions({}, { refetchInterval: REFRESH_MS }));
  const me = useQuery(trpc.status.whoami.queryOptions({}));
  const canRun = me.data?.permissions.includes("jobs:run") ?? false;
  const runNow = useMutation(trpc.jobs.runNow.mutationOptions({ onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.jobs.list.queryKey() }) }));
  const now = useNow(5_000);

  return (
    <section aria-labelledby="jobs-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="jobs-card">
      <div className="flex items-baseline justify-between gap-3">
        <h2 id="jobs-heading" className="text-sm font-semibold text-slate-900">
          Jobs
        </h2>
        {query.data && query.data.late.length > 0 && (
          <Badge tone="amber" testId="jobs-late">
            {query.data.late.length} late
          </Badge>
        )}
      </div>
      {runNow.isError && (
        <p role="alert" className="mt-2 text-xs text-red-700">
          {runNow.error.message}
        </p>
      )}
      <div className="mt-3 overflow-x-auto">
        {query.isPending ? (
          <div role="status" className="h-24 animate-pulse rounded bg-slate-100">
            <span className="sr-only">Loading jobs…</span>
          </div>
        ) : query.isError && !query.data ? (
          <ErrorState title="Could not load the jobs" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-1 pr-3 font-medium">Job</th>
                <th className="py-1 pr-3 font-medium">Schedule</th>
                <th className="py-1 pr-3 font-medium">Last run</th>
                <th className="py-1 pr-3 font-medium">Last success</th>
                <th className="py-1 pr-3 font-medium">Next due</th>
                <th className="py-1 pr-3 font-medium">Failures in a row</th>
                {canRun && <th className="py-1 font-medium" />}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {query.data.jobs.map((j) => (
                <tr key={j.name} data-testid={`job-${j.name}`}>
                  <td className="py-2 pr-3">
                    <span className="font-mono text-xs font-medium text-slate-800" title={j.description}>
                      {j.name}
                    </span>
                    {j.late && (
                      <Badge tone="amber" title="No success within twice its interval">
                        late
                      </Badge>
                    )}
                  </td>
                  <td className="py-2 pr-3 font-mono text-xs text-slate-600">{j.schedule ? (j.enabled ? j.schedule : `${j.schedule} (off)`) : "on demand"}</td>
                  <td className="py-2 pr-3 text-xs">
                    {j.lastRun ? (
                      <span className="inline-flex items-center gap-1.5" title={j.lastRun.error ?? `${j.lastRun.trigger} on ${j.lastRun.instanceId}`}>
                        <Badge tone={RUN_TONE[j.lastRun.status]}>{j.lastRun.status}</Badge>
                        <time dateTime={j.lastRun.startedAt} title={formatDateTime(j.lastRun.startedAt)} className="tabular-nums text-slate-500">
                          {formatRelative(j.lastRun.startedAt, now)}
                        </time>
                      </span>
                    ) : (
                      <span className="text-slate-400">never</span>
                    )}
                  </td>
                  <td className="py-2 pr-3 text-xs tabular-nums text-slate-500">{formatRelative(j.lastSuccessAt, now)}</td>
                  <td className="py-2 pr-3 text-xs tabular-nums text-slate-500">{formatRelative(j.nextDueAt, now)}</td>
                  <td className={`py-2 pr-3 text-xs tabular-nums ${j.failuresInRow > 0 ? "font-medium text-red-700" : "text-slate-500"}`}>{j.failuresInRow}</td>
                  {canRun && (
                    <td className="py-2 text-right">
                      <button
                        type="button"
                        className={btn.secondary}
                        disabled={runNow.isPending && runNow.variables?.name === j.name}
                        onClick={() => runNow.mutate({ name: j.name })}
                        data-testid={`run-${j.name}`}
                      >
                        Run now
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
