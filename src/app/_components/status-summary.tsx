import type { RouterOutputs } from "../_trpc/client";
import { formatUptime } from "./format";
import { OverallBadge } from "./state-badge";

type Status = RouterOutputs["status"]["get"];

function Fact({ label, value, testId, title }: { label: string; value: string; testId: string; title?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 truncate text-sm font-medium tabular-nums text-slate-900" data-testid={testId} title={title}>
        {value}
      </dd>
    </div>
  );
}

export function StatusSummary({ status, updatedAt }: { status: Status; updatedAt: number }) {
  const counts = status.connections.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.state]: (acc[c.state] ?? 0) + 1 }), {});
  return (
    <section aria-label="Summary" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <OverallBadge status={status.status} />
        <p className="text-xs text-slate-500">
          {counts.up ?? 0} up · {counts.down ?? 0} down · {counts.not_configured ?? 0} not configured
          {counts.unchecked ? ` · ${counts.unchecked} unchecked` : ""}
        </p>
      </div>
      <dl className="mt-5 grid grid-cols-3 gap-3 sm:gap-4">
        <Fact label="Version" value={status.version} testId="status-version" />
        <Fact label="Uptime" value={formatUptime(status.uptimeSeconds)} testId="status-uptime" title={`Started ${status.startedAt}`} />
        <Fact label="Last check" value={new Date(updatedAt).toLocaleTimeString()} testId="status-checked" />
      </dl>
    </section>
  );
}
