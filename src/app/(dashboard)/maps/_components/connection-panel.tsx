"use client";

import type { RouterOutputs } from "../../../_trpc/client";
import { formatLatency } from "../../../_components/format";
import { StateBadge } from "../../../_components/state-badge";
import { formatDateTime, formatRelative } from "../../../_components/time";
import { LatencyChart } from "./latency-chart";
import { UptimeBar } from "./uptime-bar";
import { formatPct } from "./uptime-scale";

type Connection = RouterOutputs["connections"]["list"]["connections"][number];
type History = RouterOutputs["connections"]["history"];

const BORDER: Record<Connection["state"], string> = {
  up: "border-slate-200",
  down: "border-red-300 ring-1 ring-red-200",
  unchecked: "border-amber-200",
  not_configured: "border-dashed border-slate-300",
};

function Window({ label, pct, testId }: { label: string; pct: number | null; testId: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] text-slate-500">{label}</dt>
      <dd className="text-sm font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {formatPct(pct)}
      </dd>
    </div>
  );
}

/** One connection: state, latency, 24 h latency chart, 90-day uptime bar, last error, configuration. */
export function ConnectionPanel({ connection: c, history, historyError, now }: { connection: Connection; history?: History; historyError?: string; now: number }) {
  return (
    <li
      id={`connection-${c.id}`}
      className={`flex min-w-0 scroll-mt-6 flex-col gap-3 rounded-xl border bg-white p-4 shadow-sm ${BORDER[c.state]}`}
      data-testid={`connection-panel-${c.id}`}
      data-state={c.state}
    >
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 className="truncate text-sm font-semibold text-slate-900">{c.label}</h3>
          <p className="truncate font-mono text-xs text-slate-500">
            {c.layer} · {c.kind}
          </p>
        </div>
        <StateBadge state={c.state} />
      </div>

      {c.configured ? (
        <>
          <dl className="grid grid-cols-3 gap-2 sm:grid-cols-5">
            <div className="min-w-0">
              <dt className="text-[11px] text-slate-500">Latency</dt>
              <dd className="text-sm font-semibold tabular-nums text-slate-900" data-testid="panel-latency">
                {formatLatency(c.latencyMs)}
              </dd>
            </div>
            <Window label="24 h" pct={c.uptime.h24.pct} testId="uptime-24h" />
            <Window label="7 d" pct={c.uptime.d7.pct} testId="uptime-7d" />
            <Window label="30 d" pct={c.uptime.d30.pct} testId="uptime-30d" />
            <Window label="90 d" pct={c.uptime.d90.pct} testId="uptime-90d-window" />
          </dl>
          <p className="text-xs text-slate-500">
            {c.checkedAt ? (
              <>
                Checked{" "}
                <time dateTime={c.checkedAt} title={formatDateTime(c.checkedAt)}>
                  {formatRelative(c.checkedAt, now)}
                </time>
                {c.since && (
                  <>
                    {" "}
                    · {c.state} since{" "}
                    <time dateTime={c.since} title={formatDateTime(c.since)}>
                      {formatRelative(c.since, now)}
                    </time>
                  </>
                )}
              </>
            ) : (
              "Not probed yet: press Refresh, or wait for the schedule."
            )}
          </p>
          {c.error && (
            <p className="break-words rounded-md bg-red-50 px-2 py-1.5 text-xs text-red-700" data-testid="panel-error">
              <span className="font-semibold">Last error: </span>
              {c.error}
            </p>
          )}
          {!c.error && c.lastDownAt && (
            <p className="text-xs text-slate-500" data-testid="panel-last-down">
              Last down{" "}
              <time dateTime={c.lastDownAt} title={formatDateTime(c.lastDownAt)}>
                {formatRelative(c.lastDownAt, now)}
              </time>
            </p>
          )}
          {c.warnings.length > 0 && (
            <ul className="space-y-1 rounded-md bg-amber-50 px-2 py-1.5 text-xs text-amber-800" data-testid="panel-warnings">
              {c.warnings.map((w) => (
                <li key={w} className="break-words">
                  {w}
                </li>
              ))}
            </ul>
          )}
          {history ? (
            <>
              <LatencyChart points={history.latency} />
              <UptimeBar days={history.days} pct90={c.uptime.d90.pct} />
            </>
          ) : historyError ? (
            <p className="text-xs text-red-700">Could not load the history: {historyError}</p>
          ) : (
            <div role="status" className="space-y-2">
              <span className="sr-only">Loading the history…</span>
              <div className="h-24 animate-pulse rounded-lg bg-slate-100" />
              <div className="h-6 animate-pulse rounded bg-slate-100" />
            </div>
          )}
        </>
      ) : (
        <p className="text-xs text-slate-500">Not configured: this connection is not used. It is never counted as down.</p>
      )}

      {Object.keys(c.config).length > 0 && (
        <details className="text-xs">
          <summary className="cursor-pointer text-slate-600">Configured with</summary>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1" data-testid="panel-config">
            {Object.entries(c.config).map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-500">{k}</dt>
                <dd className="break-all font-mono text-slate-800">{v}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </li>
  );
}
