import type { RouterOutputs } from "../_trpc/client";
import { formatUptime } from "./format";
import { OverallBadge } from "./state-badge";
import { ActivityChart } from "./status-activity-chart";

type Status = RouterOutputs["status"]["get"];
type Activity = RouterOutputs["status"]["activity"];

function Fact({ label, value, testId, title, tone }: { label: string; value: string; testId: string; title?: string; tone?: "bad" }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className={`mt-1 truncate text-sm font-semibold tabular-nums ${tone === "bad" ? "text-red-700" : "text-slate-900"}`} data-testid={testId} title={title}>
        {value}
      </dd>
    </div>
  );
}

export function formatRate(perMinute: number): string {
  if (perMinute === 0) return "0 / min";
  if (perMinute < 0.1) return "< 0.1 / min";
  return `${perMinute < 10 ? perMinute.toFixed(1) : Math.round(perMinute)} / min`;
}

export function formatShare(rate: number): string {
  if (rate === 0) return "0 %";
  if (rate < 0.001) return "< 0.1 %";
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)} %`;
}

/** The API card: overall state, version, uptime, and the request and error rates of the last hour. */
export function StatusSummary({ status, updatedAt, activity }: { status: Status; updatedAt: number; activity?: Activity }) {
  const counts = status.connections.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.state]: (acc[c.state] ?? 0) + 1 }), {});
  return (
    <section aria-label="API" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="api-card">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-center gap-3">
          <h2 className="text-sm font-semibold text-slate-900">API</h2>
          <OverallBadge status={status.status} />
        </div>
        <p className="text-xs text-slate-500">
          {counts.up ?? 0} up · {counts.down ?? 0} down · {counts.not_configured ?? 0} not configured
          {counts.unchecked ? ` · ${counts.unchecked} unchecked` : ""}
        </p>
      </div>
      <dl className="mt-5 grid grid-cols-2 gap-4 sm:grid-cols-5">
        <Fact label="Version" value={status.version} testId="status-version" />
        <Fact label="Uptime" value={formatUptime(status.uptimeSeconds)} testId="status-uptime" title={`Started ${status.startedAt}`} />
        <Fact
          label="Requests (1 h)"
          value={activity ? formatRate(activity.requestsPerMinute) : "…"}
          testId="status-request-rate"
          title={activity ? `${activity.requests} requests in the last hour` : undefined}
        />
        <Fact
          label="Error rate (1 h)"
          value={activity ? formatShare(activity.errorRate) : "…"}
          testId="status-error-rate"
          title={activity ? `${activity.errors} of ${activity.requests} failed or were denied` : undefined}
          tone={activity && activity.errorRate >= 0.05 ? "bad" : undefined}
        />
        <Fact label="Last check" value={new Date(updatedAt).toLocaleTimeString()} testId="status-checked" />
      </dl>
      {activity && <ActivityChart activity={activity} />}
    </section>
  );
}
