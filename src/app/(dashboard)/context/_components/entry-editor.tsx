"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useEscapeKey } from "../../../_components/use-escape-key";
import { useTRPC, type RouterOutputs } from "../../../_trpc/client";
import { btn, field, label } from "../../../_components/buttons";
import type { Entry } from "./entry-list";
import { byteLength, KEY_HINT, KEY_RE, MAX_VALUE_BYTES, parseJson } from "./scope";

export type PutResult = RouterOutputs["context"]["put"];
const DEFAULT_TTL = 900;

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
}

/**
 * Edits an entry's JSON (or creates one): validated as you type, with the version you opened sent as
 * expectedVersion so a concurrent write is reported (or refused, when you ask for that).
 */
export function EntryEditor({ scope, entry, latest, onSaved, onClose }: { scope: string; entry: Entry | null; latest?: Entry; onSaved: (r: PutResult) => void; onClose: () => void }) {
  const trpc = useTRPC();
  const [key, setKey] = useState(entry?.key ?? "");
  const [text, setText] = useState(entry ? JSON.stringify(entry.value, null, 2) : "{\n  \n}");
  const [ttl, setTtl] = useState(String(DEFAULT_TTL));
  const [strict, setStrict] = useState(false);
  const put = useMutation(trpc.context.put.mutationOptions({ onSuccess: onSaved }));

  useEscapeKey(onClose);

  const parsed = parseJson(text);
  const bytes = "value" in parsed ? byteLength(JSON.stringify(parsed.value)) : byteLength(text);
  const tooBig = bytes > MAX_VALUE_BYTES;
  const keyError = entry || KEY_RE.test(key) ? null : key ? `Keys are ${KEY_HINT}.` : null;
  const ttlNumber = Number(ttl);
  const ttlError = Number.isInteger(ttlNumber) && ttlNumber >= 1 ? null : "Whole seconds, at least 1.";
  const changedMeanwhile = entry && latest && latest.version !== entry.version ? latest : null;
  const canSave = "value" in parsed && !tooBig && !keyError && !ttlError && (entry !== null || key.length > 0);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!canSave || !("value" in parsed)) return;
    put.mutate({ scope, key: entry?.key ?? key, value: parsed.value, ttlSeconds: ttlNumber, expectedVersion: entry?.version ?? 0, ...(strict ? { ifMatch: true } : {}) });
  };

  return (
    <div className="fixed inset-0 z-40 flex items-end justify-center bg-slate-900/40 sm:items-center sm:p-4" onClick={onClose}>
      <form
        onSubmit={submit}
        onClick={(e) => e.stopPropagation()}
        role="dialog"
        aria-modal="true"
        aria-labelledby="editor-title"
        className="flex max-h-[95vh] w-full max-w-2xl flex-col overflow-hidden rounded-t-xl bg-white shadow-2xl sm:rounded-xl"
        data-testid="entry-editor"
      >
        <header className="border-b border-slate-200 px-5 py-4">
          <h2 id="editor-title" className="text-base font-semibold text-slate-900">
            {entry ? (
              <>
                Edit <span className="font-mono">{entry.key}</span> <span className="text-sm font-normal text-slate-500">v{entry.version}</span>
              </>
            ) : (
              "New entry"
            )}
          </h2>
          <p className="mt-0.5 font-mono text-xs text-slate-500">{scope}</p>
        </header>
        <div className="flex-1 space-y-4 overflow-y-auto px-5 py-4">
          {!entry && (
            <label className={label}>
              Key
              <input autoFocus value={key} onChange={(e) => setKey(e.target.value)} className={`${field} mt-1 font-mono`} placeholder="deploy/notes" aria-invalid={keyError ? true : undefined} />
              <span className={`mt-1 block font-normal ${keyError ? "text-red-700" : "text-slate-400"}`}>{keyError ?? KEY_HINT}</span>
            </label>
          )}
          {changedMeanwhile && (
            <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-inset ring-amber-600/20">
              Changed while you were editing: now v{changedMeanwhile.version}. Saving overwrites it (last write wins) and records a conflict, unless you tick the box below.
            </p>
          )}
          <label className={label}>
            Value (JSON)
            <textarea
              autoFocus={Boolean(entry)}
              value={text}
              onChange={(e) => setText(e.target.value)}
              spellCheck={false}
              rows={14}
              aria-invalid={"error" in parsed ? true : undefined}
              aria-describedby="json-status"
              className={`${field} mt-1 resize-y font-mono text-xs leading-relaxed ${"error" in parsed || tooBig ? "border-red-400 focus:border-red-500 focus:ring-red-500/30" : ""}`}
              data-testid="json-editor"
            />
          </label>
          <div id="json-status" className="flex flex-wrap items-start justify-between gap-2 text-xs" aria-live="polite">
            {"error" in parsed ? (
              <span className="text-red-700" role="alert" data-testid="json-error">
                {parsed.error}
              </span>
            ) : (
              <span className="text-emerald-700">Valid JSON</span>
            )}
            <span className={tooBig ? "font-medium text-red-700" : "text-slate-500"}>
              {formatBytes(bytes)} of 64 KB{tooBig && ": too large, store less or split it across keys"}
            </span>
          </div>
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <label className={label}>
              Time to live (seconds)
              <input type="number" min={1} step={1} value={ttl} onChange={(e) => setTtl(e.target.value)} className={`${field} mt-1`} />
              <span className={`mt-1 block font-normal ${ttlError ? "text-red-700" : "text-slate-400"}`}>{ttlError ?? "Saving restarts the countdown. Default 900 (15 min)."}</span>
            </label>
            {entry && (
              <label className="flex items-start gap-2 self-center text-sm text-slate-700">
                <input type="checkbox" className="mt-0.5 h-4 w-4 accent-indigo-600" checked={strict} onChange={(e) => setStrict(e.target.checked)} />
                <span>
                  Don&apos;t overwrite changes made since I opened it
                  <span className="block text-xs text-slate-500">Refuse the save (409) instead of last-write-wins.</span>
                </span>
              </label>
            )}
          </div>
          {put.isError && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="save-error">
              {put.error.message}
            </p>
          )}
        </div>
        <footer className="flex justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">
          <button type="button" onClick={onClose} className={btn.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={!canSave || put.isPending} className={btn.primary}>
            {put.isPending ? "Saving…" : "Save"}
          </button>
        </footer>
      </form>
    </div>
  );
}
