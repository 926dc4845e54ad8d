"use client";

import type { RouterOutputs } from "../../../_trpc/client";
import { OutcomeBadge } from "../../../_components/badge";
import { formatLatency } from "../../../_components/format";
import { formatDateTime, formatRelative } from "../../../_components/time";

export type AuditEvent = RouterOutputs["audit"]["list"]["items"][number];

export const ACTOR_LABEL: Record<string, string> = { api_key: "API key", user: "User", system: "System", github: "GitHub", anonymous: "Anonymous" };

/** The events, newest first; a row opens its detail. Less important columns hide on narrow screens. */
export function AuditTable({ events, selected, onSelect, now }: { events: AuditEvent[]; selected: number | null; onSelect: (seq: number) => void; now: number }) {
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="w-full table-fixed text-left text-sm" data-testid="audit-table">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-medium uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="w-24 px-3 py-2.5 sm:w-40">
              Time
            </th>
            <th scope="col" className="hidden px-3 py-2.5 sm:table-cell">
              Actor
            </th>
            <th scope="col" className="hidden w-24 px-3 py-2.5 lg:table-cell">
              Client
            </th>
            <th scope="col" className="px-3 py-2.5">
              Action
            </th>
            <th scope="col" className="w-24 px-3 py-2.5">
              Outcome
            </th>
            <th scope="col" className="hidden w-16 px-3 py-2.5 md:table-cell">
              Status
            </th>
            <th scope="col" className="hidden w-20 px-3 py-2.5 xl:table-cell">
              Surface
            </th>
            <th scope="col" className="hidden w-20 px-3 py-2.5 text-right md:table-cell">
              Latency
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.map((e) => (
            <tr
              key={e.seq}
              onClick={() => onSelect(e.seq)}
              className={`cursor-pointer align-top hover:bg-slate-50 ${selected === e.seq ? "bg-indigo-50/60" : ""}`}
              data-testid="audit-row"
              data-seq={e.seq}
              data-action={e.action}
              data-actor={e.actorId}
              data-outcome={e.outcome}
            >
              <td className="px-3 py-2.5">
                <span className="block truncate tabular-nums text-slate-700" title={formatDateTime(e.at)}>
                  <span className="hidden sm:inline">{formatDateTime(e.at)}</span>
                  <span className="sm:hidden">{formatRelative(e.at, now)}</span>
                </span>
                <span className="block text-xs text-slate-400">#{e.seq}</span>
              </td>
              <td className="hidden px-3 py-2.5 sm:table-cell">
                <span className="block truncate font-medium text-slate-800" title={e.actorId} data-testid="row-actor">
                  {e.actorName ?? e.actorId}
                </span>
                <span className="block text-xs text-slate-500">{ACTOR_LABEL[e.actorType] ?? e.actorType}</span>
              </td>
              <td className="hidden truncate px-3 py-2.5 text-slate-600 lg:table-cell">{e.clientId ?? <span className="text-slate-300">—</span>}</td>
              <td className="px-3 py-2.5">
                <button
                  type="button"
                  onClick={(ev) => {
                    ev.stopPropagation();
                    onSelect(e.seq);
                  }}
                  className="block max-w-full truncate text-left font-mono text-xs font-medium text-indigo-700 hover:underline"
                  aria-label={`Details of event ${e.seq}: ${e.action}`}
                >
                  {e.action}
                </button>
                {e.target && (
                  <span className="block truncate font-mono text-xs text-slate-500" title={e.target}>
                    {e.target}
                  </span>
                )}
                <span className="block truncate text-xs text-slate-600 sm:hidden">{e.actorName ?? e.actorId}</span>
              </td>
              <td className="px-3 py-2.5">
                <OutcomeBadge outcome={e.outcome} />
              </td>
              <td className="hidden px-3 py-2.5 tabular-nums text-slate-600 md:table-cell">{e.status}</td>
              <td className="hidden px-3 py-2.5 text-slate-600 xl:table-cell">{e.surface}</td>
              <td className="hidden px-3 py-2.5 text-right tabular-nums text-slate-600 md:table-cell">{formatLatency(e.latencyMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
