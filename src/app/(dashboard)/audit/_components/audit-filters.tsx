"use client";

import { useState, type FormEvent } from "react";
import { btn, field, label } from "../../../_components/buttons";
import { humanize } from "../../../_components/format";
import { formatDateTime, fromLocalInput, toLocalInput } from "../../../_components/time";
import { ACTOR_TYPES, FILTER_KEYS, FILTER_LABELS, OUTCOMES, hasFilters, type AuditFilters, type FilterKey } from "./filters";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const PRESETS: [string, number][] = [
  ["15 min", 15],
  ["1 hour", 60],
  ["24 hours", 24 * 60],
  ["7 days", 7 * 24 * 60],
];

/** The filter bar: edits a draft, applies it to the URL on submit (selects apply at once). */
export function AuditFilterBar({ filters, onApply }: { filters: AuditFilters; onApply: (f: AuditFilters) => void }) {
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const [open, setOpen] = useState(hasFilters({ ...filters, q: undefined }));
  const set = (key: FilterKey, value: string | undefined) => setDraft((d) => ({ ...d, [key]: value || undefined }));
  const apply = (f: AuditFilters) => onApply(Object.fromEntries(Object.entries(f).filter(([, v]) => v)) as AuditFilters);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const pick = (key: "actorType" | "outcome", value: string) => {
    const next = { ...draft, [key]: value || undefined };
    setDraft(next);
    apply(next);
  };
  const preset = (minutes: number) => {
    const next = { ...draft, since: minutesAgo(minutes), until: undefined };
    setDraft(next);
    apply(next);
  };

  return (
    <form onSubmit={submit} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" role="search" aria-label="Filter audit events">
      <div className="flex flex-col gap-2 sm:flex-row">
        <div className="relative min-w-0 flex-1">
          <svg viewBox="0 0 20 20" className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 fill-slate-400" aria-hidden="true">
            <path d="M8.5 3a5.5 5.5 0 014.38 8.83l3.65 3.64a.75.75 0 11-1.06 1.06l-3.64-3.65A5.5 5.5 0 118.5 3zm0 1.5a4 4 0 100 8 4 4 0 000-8z" />
          </svg>
          <input
            type="search"
            aria-label="Search audit events"
            placeholder='Search actions, targets, ids, input… ("a phrase", or, -word)'
            value={draft.q ?? ""}
            onChange={(e) => set("q", e.target.value)}
            className={`${field} pl-9`}
            data-testid="audit-search"
          />
        </div>
        <div className="flex gap-2">
          <button type="submit" className={`${btn.primary} flex-1 sm:flex-none`}>
            Search
          </button>
          <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} className={`${btn.secondary} flex-1 sm:flex-none`}>
            Filters
          </button>
        </div>
      </div>

      {open && (
        <div className="mt-4 grid grid-cols-1 gap-3 border-t border-slate-100 pt-4 sm:grid-cols-2 lg:grid-cols-4">
          <label className={label}>
            Actor type
            <select className={`${field} mt-1`} value={draft.actorType ?? ""} onChange={(e) => pick("actorType", e.target.value)}>
              <option value="">Any</option>
              {ACTOR_TYPES.map((t) => (
                <option key={t} value={t}>
                  {humanize(t)}
                </option>
              ))}
            </select>
          </label>
          <TextFilter name="actorId" text="Actor id" placeholder="op@example.com, key id…" draft={draft} set={set} />
          <TextFilter name="clientId" text="Client" placeholder="gpt, cursor…" draft={draft} set={set} />
          <TextFilter name="action" text="Action prefix" placeholder="context., keys.create…" draft={draft} set={set} />
          <TextFilter name="intentId" text="Intent id" placeholder="an intent's UUID" draft={draft} set={set} />
          <label className={label}>
            Outcome
            <select className={`${field} mt-1`} value={draft.outcome ?? ""} onChange={(e) => pick("outcome", e.target.value)}>
              <option value="">Any</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {humanize(o)}
                </option>
              ))}
            </select>
          </label>
          <label className={label}>
            From
            <input type="datetime-local" className={`${field} mt-1`} value={toLocalInput(draft.since)} onChange={(e) => set("since", fromLocalInput(e.target.value))} />
          </label>
          <label className={label}>
            Until
            <input type="datetime-local" className={`${field} mt-1`} value={toLocalInput(draft.until)} onChange={(e) => set("until", fromLocalInput(e.target.value))} />
          </label>
          <div>
            <span className={label}>Last</span>
            <div className="mt-1 flex flex-wrap gap-1.5">
              {PRESETS.map(([text, minutes]) => (
                <button key={text} type="button" onClick={() => preset(minutes)} className="rounded-md border border-slate-200 px-2 py-1 text-xs font-medium text-slate-600 hover:bg-slate-50">
                  {text}
                </button>
              ))}
            </div>
          </div>
          <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-4">
            <button type="submit" className={btn.primary} data-testid="apply-filters">
              Apply filters
            </button>
            {hasFilters(filters) && (
              <button type="button" onClick={() => onApply({})} className={btn.secondary}>
                Clear all
              </button>
            )}
          </div>
        </div>
      )}
    </form>
  );
}

function TextFilter({ name, text, placeholder, draft, set }: { name: FilterKey; text: string; placeholder: string; draft: AuditFilters; set: (k: FilterKey, v: string) => void }) {
  return (
    <label className={label}>
      {text}
      <input type="text" name={name} className={`${field} mt-1`} placeholder={placeholder} value={draft[name] ?? ""} onChange={(e) => set(name, e.target.value)} />
    </label>
  );
}

/** The filters in force, each removable on its own. */
export function ActiveFilters({ filters, onApply }: { filters: AuditFilters; onApply: (f: AuditFilters) => void }) {
  const keys = FILTER_KEYS.filter((k) => filters[k]);
  if (keys.length === 0) return null;
  return (
    <ul className="flex flex-wrap items-center gap-2" aria-label="Filters in force" data-testid="active-filters">
      {keys.map((k) => (
        <li key={k} className="inline-flex max-w-full items-center gap-1 rounded-full bg-indigo-50 py-0.5 pl-2.5 pr-1 text-xs text-indigo-800 ring-1 ring-inset ring-indigo-600/20">
          <span className="font-medium">{FILTER_LABELS[k]}:</span>
          <span className="truncate">{k === "since" || k === "until" ? formatDateTime(filters[k]!) : filters[k]}</span>
          <button
            type="button"
            aria-label={`Remove the ${FILTER_LABELS[k].toLowerCase()} filter`}
            onClick={() => onApply({ ...filters, [k]: undefined })}
            className="rounded-full px-1 text-indigo-500 hover:bg-indigo-100 hover:text-indigo-800"
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
