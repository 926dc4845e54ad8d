"use client";

import type { RouterOutputs } from "../../../_trpc/client";
import { formatCountdown, formatDateTime, formatRelative } from "../../../_components/time";
import type { ActorLabel, ActorRef } from "../../../_components/actor-names";
import { previewValue } from "./scope";

export type Entry = RouterOutputs["context"]["list"]["items"][number];

const COLS = "md:grid md:grid-cols-[minmax(0,1.1fr)_minmax(0,1.6fr)_4rem_minmax(0,1fr)_6rem_auto] md:items-center md:gap-4";

/**
 * A scope's entries: key, value preview, version, who wrote it and when, and time to expiry counting
 * down. Rows stack on a phone. Operators get Edit and Delete; everyone can open the history.
 */
export function EntryList({
  entries,
  now,
  canWrite,
  flashed,
  label,
  onOpen,
  onEdit,
  onDelete,
}: {
  entries: Entry[];
  now: number;
  canWrite: boolean;
  flashed: ReadonlySet<string>;
  label: (ref: ActorRef) => ActorLabel;
  onOpen: (e: Entry) => void;
  onEdit: (e: Entry) => void;
  onDelete: (e: Entry) => void;
}) {
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className={`hidden border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-xs font-medium uppercase tracking-wide text-slate-500 ${COLS}`} aria-hidden="true">
        <span>Key</span>
        <span>Value</span>
        <span>Version</span>
        <span>Written by</span>
        <span>Expires in</span>
        <span className="w-[8.5rem]" />
      </div>
      <ul className="divide-y divide-slate-100" data-testid="entry-list">
        {entries.map((e) => {
          const who = label(e.updatedBy);
          const left = Date.parse(e.expiresAt) - now;
          return (
            <li
              key={e.key}
              className={`px-4 py-3 transition-colors duration-1000 ${COLS} ${flashed.has(e.key) ? "bg-amber-50" : ""}`}
              data-testid="entry-row"
              data-key={e.key}
              data-version={e.version}
            >
              <button type="button" onClick={() => onOpen(e)} className="block min-w-0 max-w-full truncate text-left font-mono text-sm font-semibold text-indigo-700 hover:underline" title={e.key}>
                {e.key}
              </button>
              <code className="mt-1 block truncate font-mono text-xs text-slate-600 md:mt-0" data-testid="entry-value" title={previewValue(e.value, 500)}>
                {previewValue(e.value)}
              </code>
              <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500 md:contents">
                <span className="font-medium tabular-nums text-slate-700" data-testid="entry-version">
                  v{e.version}
                </span>
                <span className="min-w-0 md:truncate" title={`${who.kind} ${e.updatedBy.id} · ${formatDateTime(e.updatedAt)}`}>
                  <span className="text-slate-700" data-testid="entry-author">
                    {who.name}
                  </span>
                  <span className="block text-slate-400">
                    {who.kind} · {formatRelative(e.updatedAt, now)}
                  </span>
                </span>
                <span className={`tabular-nums ${left < 60_000 ? "font-medium text-amber-700" : "text-slate-700"}`} title={`Expires ${formatDateTime(e.expiresAt)}`} data-testid="entry-expiry">
                  <span className="md:hidden">expires in </span>
                  {formatCountdown(left)}
                </span>
              </div>
              <div className="mt-2 flex gap-1.5 md:mt-0 md:w-[8.5rem] md:justify-end">
                <RowButton onClick={() => onOpen(e)}>History</RowButton>
                {canWrite && (
                  <>
                    <RowButton onClick={() => onEdit(e)} label={`Edit ${e.key}`}>
                      Edit
                    </RowButton>
                    <RowButton onClick={() => onDelete(e)} label={`Delete ${e.key}`} danger>
                      Delete
                    </RowButton>
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function RowButton({ onClick, children, label, danger }: { onClick: () => void; children: string; label?: string; danger?: boolean }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label={label}
      className={`rounded-md px-2 py-1 text-xs font-medium ring-1 ring-inset ${danger ? "text-red-700 ring-red-200 hover:bg-red-50" : "text-slate-700 ring-slate-200 hover:bg-slate-50"}`}
    >
      {children}
    </button>
  );
}
