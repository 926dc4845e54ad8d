import Link from "next/link";
import type { RouterOutputs } from "../_trpc/client";
import { connectionLabel, formatLatency } from "./format";
import { StateBadge } from "./state-badge";

type Connection = RouterOutputs["status"]["get"]["connections"][number];

/** One connection on the Status page; it opens the connection on the Connections page (/maps). */
export function ConnectionCard({ connection }: { connection: Connection }) {
  const { name, kind, state, latencyMs, detail } = connection;
  return (
    <li className="min-w-0" data-testid={`connection-${name}`} data-state={state}>
      <Link
        href={`/maps#connection-${name}`}
        className="flex h-full min-w-0 flex-col gap-2 rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm transition hover:border-indigo-300 hover:shadow focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
        title={`${connectionLabel(name)}: latency, uptime and history on the Connections page`}
        data-testid="connection-link"
      >
        <div className="flex items-center justify-between gap-3">
          <h3 className="truncate text-sm font-semibold text-slate-900">{connectionLabel(name)}</h3>
          <StateBadge state={state} />
        </div>
        <div className="flex items-baseline justify-between gap-3 text-xs">
          <span className="truncate font-mono text-slate-500" data-testid="connection-kind">
            {kind}
          </span>
          <span className="shrink-0 tabular-nums text-slate-600" title="Latency of the last check">
            <span className="sr-only">Latency: </span>
            {formatLatency(latencyMs)}
          </span>
        </div>
        {detail && <p className="break-words rounded-md bg-red-50 px-2 py-1.5 text-xs text-red-700">{detail}</p>}
      </Link>
    </li>
  );
}
