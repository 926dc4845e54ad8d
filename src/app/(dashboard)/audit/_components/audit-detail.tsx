"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTRPC } from "../../../_trpc/client";
import { OutcomeBadge } from "../../../_components/badge";
import { formatLatency } from "../../../_components/format";
import { JsonBlock } from "../../../_components/json-block";
import { CloseButton } from "../../../_components/close-button";
import { SidePanel } from "../../../_components/side-panel";
import { ErrorState } from "../../../_components/query-states";
import { formatDateTime } from "../../../_components/time";
import { ACTOR_LABEL, type AuditEvent } from "./audit-table";
import type { AuditFilters } from "./filters";

/**
 * One event in full, in a side panel. Loaded by sequence number (the page of events ending at it),
 * so a shared link opens the event even when it is not on the first page.
 */
export function AuditDetail({ seq, known, onClose, onFilter }: { seq: number; known?: AuditEvent; onClose: () => void; onFilter: (f: AuditFilters) => void }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.audit.list.queryOptions({ cursor: seq + 1, limit: 1 }), enabled: !known });
  const event = known ?? (query.data?.items[0]?.seq === seq ? query.data.items[0] : undefined);

  return (
    <SidePanel labelledBy="event-title" testId="audit-detail" onClose={onClose}>
      <header className="flex items-start justify-between gap-3 border-b border-slate-200 px-5 py-4">
        <div className="min-w-0">
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Event #{seq}</p>
          <h2 id="event-title" className="mt-0.5 truncate font-mono text-base font-semibold text-slate-900">
            {event?.action ?? "…"}
          </h2>
        </div>
        <CloseButton label="Close the event details" onClose={onClose} />
      </header>
      <div className="flex-1 space-y-5 overflow-y-auto px-5 py-5">
        {event ? (
          <EventBody event={event} onFilter={onFilter} />
        ) : query.isError ? (
          <ErrorState title="Could not load the event" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        ) : query.isPending ? (
          <p className="text-sm text-slate-500">Loading…</p>
        ) : (
          <p className="text-sm text-slate-600">There is no event #{seq}.</p>
        )}
      </div>
    </SidePanel>
  );
}

function EventBody({ event: e, onFilter }: { event: AuditEvent; onFilter: (f: AuditFilters) => void }) {
  return (
    <>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
        <Field label="Time">{formatDateTime(e.at)}</Field>
        <Field label="Outcome">
          <span className="flex items-center gap-2">
            <OutcomeBadge outcome={e.outcome} /> <span className="tabular-nums text-slate-600">{e.status}</span>
          </span>
        </Field>
        <Field label="Actor">
          <span className="break-all" data-testid="detail-actor">
            {e.actorName ?? e.actorId}
          </span>
          <span className="block break-all text-xs text-slate-500">
            {ACTOR_LABEL[e.actorType] ?? e.actorType}
            {e.actorName && ` · ${e.actorId}`}
          </span>
        </Field>
        <Field label="Client">{e.clientId ?? "—"}</Field>
        <Field label="Resource">{e.resourceType}</Field>
        <Field label="Target">
          <span className="break-all font-mono text-xs">{e.target ?? "—"}</span>
        </Field>
        <Field label="Surface">{e.surface}</Field>
        <Field label="Latency">{formatLatency(e.latencyMs)}</Field>
        <Field label="IP">{e.ip ?? "not recorded"}</Field>
      </dl>
      <div className="flex flex-wrap gap-2">
        <FilterLink onClick={() => onFilter({ actorType: e.actorType as AuditFilters["actorType"], actorId: e.actorId })}>All by this actor</FilterLink>
        {e.target && <FilterLink onClick={() => onFilter({ q: `"${e.target}"` })}>Everything on this target</FilterLink>}
        <FilterLink onClick={() => onFilter({ q: e.requestId })}>This request</FilterLink>
      </div>
      <section>
        <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">Input</h3>
        <JsonBlock value={e.input} testId="detail-input" />
      </section>
      <section>
        <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">Detail</h3>
        <JsonBlock value={e.detail} testId="detail-detail" />
      </section>
      <section className="space-y-3 rounded-lg border border-slate-200 p-3">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Chain</h3>
        <Hash label="Request id" value={e.requestId} />
        <Hash label="Hash" value={e.hash} testId="detail-hash" />
        <Hash label="Previous hash" value={e.prevHash} testId="detail-prev-hash" />
      </section>
    </>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{children}</dd>
    </div>
  );
}

function FilterLink({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="rounded-full border border-slate-200 px-2.5 py-1 text-xs font-medium text-slate-700 hover:border-indigo-300 hover:bg-indigo-50 hover:text-indigo-700"
    >
      {children}
    </button>
  );
}

function Hash({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div>
      <div className="flex items-center justify-between">
        <span className="text-xs font-medium text-slate-500">{label}</span>
        <button
          type="button"
          className="text-xs font-medium text-indigo-600 hover:text-indigo-800"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true));
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <code className="mt-0.5 block break-all font-mono text-xs text-slate-800" data-testid={testId}>
        {value}
      </code>
    </div>
  );
}
