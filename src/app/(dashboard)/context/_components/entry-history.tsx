"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../../_trpc/client";
import { Badge } from "../../../_components/badge";
import { JsonBlock } from "../../../_components/json-block";
import { CloseButton } from "../../../_components/close-button";
import { SidePanel } from "../../../_components/side-panel";
import { ErrorState } from "../../../_components/query-states";
import { formatDateTime, formatRelative } from "../../../_components/time";
import type { ActorLabel, ActorRef } from "../../../_components/actor-names";
import type { Entry } from "./entry-list";

/** A key in full: its current value and its last writes (from the audit log), conflicts marked. */
export function EntryHistory({
  scope,
  entryKey,
  entry,
  now,
  label,
  onClose,
}: {
  scope: string;
  entryKey: string;
  entry?: Entry;
  now: number;
  label: (r: ActorRef) => ActorLabel;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const history = useQuery(trpc.context.history.queryOptions({ scope, key: entryKey, limit: 20 }));

  return (
    <SidePanel labelledBy="history-title" testId="entry-history" onClose={onClose}>
      <header className="flex items-start justify-between gap-3 border-b border-slate-200 px-5 py-4">
        <div className="min-w-0">
          <p className="truncate font-mono text-xs text-slate-500">{scope}</p>
          <h2 id="history-title" className="mt-0.5 break-all font-mono text-base font-semibold text-slate-900">
            {entryKey}
          </h2>
        </div>
        <CloseButton label="Close the history" onClose={onClose} />
      </header>
      <div className="flex-1 space-y-6 overflow-y-auto px-5 py-5">
        <section>
          <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{entry ? `Current value · v${entry.version}` : "Current value"}</h3>
          {entry ? <JsonBlock value={entry.value} testId="current-value" /> : <p className="text-sm text-slate-500">No live entry: it was deleted or has expired.</p>}
        </section>
        <section>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Last writes</h3>
          {history.isPending ? (
            <p className="text-sm text-slate-500">Loading…</p>
          ) : history.isError ? (
            <ErrorState title="Could not load the history" error={history.error} onRetry={() => void history.refetch()} retrying={history.isFetching} />
          ) : history.data.items.length === 0 ? (
            <p className="text-sm text-slate-500">No recorded writes.</p>
          ) : (
            <ol className="relative space-y-4 border-l border-slate-200 pl-5" data-testid="history-list">
              {history.data.items.map((h) => {
                const who = label({ type: h.actor.type, id: h.actor.id });
                return (
                  <li key={h.auditSeq} className="relative" data-testid="history-item">
                    <span
                      className={`absolute -left-[1.63rem] top-1 h-2.5 w-2.5 rounded-full ring-4 ring-white ${h.operation === "delete" ? "bg-red-500" : h.conflict ? "bg-amber-500" : "bg-indigo-500"}`}
                      aria-hidden="true"
                    />
                    <div className="flex flex-wrap items-center gap-2 text-sm">
                      <Badge tone={h.operation === "delete" ? "red" : "indigo"}>{h.operation}</Badge>
                      {h.version !== null && <span className="font-medium tabular-nums text-slate-800">v{h.version}</span>}
                      {h.conflict && <Badge tone="amber">conflict</Badge>}
                      <span className="text-slate-600">{who.name}</span>
                      <span className="text-xs text-slate-400">({who.kind})</span>
                    </div>
                    <p className="mt-0.5 text-xs text-slate-500">
                      <time dateTime={h.at} title={formatDateTime(h.at)}>
                        {formatRelative(h.at, now)}
                      </time>{" "}
                      ·{" "}
                      <Link href={`/audit?event=${h.auditSeq}`} className="text-indigo-600 hover:underline">
                        audit #{h.auditSeq}
                      </Link>
                    </p>
                    {h.conflictWith && (
                      <p className="mt-1 rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-800">
                        Expected v{h.conflictWith.expectedVersion}, overwrote v{h.conflictWith.overwrittenVersion}
                        {h.conflictWith.overwrittenBy && ` by ${label(h.conflictWith.overwrittenBy).name}`}.
                      </p>
                    )}
                    {h.preview && (
                      <code className="mt-1.5 block max-h-24 overflow-hidden break-all rounded-md bg-slate-50 px-2 py-1.5 font-mono text-xs text-slate-700">
                        {h.preview}
                        {h.truncated && "…"}
                      </code>
                    )}
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      </div>
    </SidePanel>
  );
}
