"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../../../_trpc/client";
import { btn, field } from "../../../_components/buttons";
import { buildScope, parseScope, scopeIdRule, SCOPE_KINDS, type ScopeKind } from "./scope";

const KIND_LABEL: Record<ScopeKind, string> = { global: "Global", repo: "Repo", session: "Session", client: "Client" };

/** Choose a scope: a kind and its id, validated before it goes to the URL; live scopes as shortcuts. */
export function ScopePicker({ scope, onPick }: { scope: string; onPick: (scope: string) => void }) {
  const trpc = useTRPC();
  const current = parseScope(scope);
  const [kind, setKind] = useState<ScopeKind>(current?.kind ?? "global");
  const [id, setId] = useState(current?.id ?? "");
  const [error, setError] = useState<string | null>(null);
  const summary = useQuery(trpc.context.summary.queryOptions({}, { refetchInterval: 15_000 }));

  const open = (k: ScopeKind, value: string) => {
    const built = buildScope(k, value);
    if ("error" in built) return setError(built.error);
    setError(null);
    onPick(built.scope);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open(kind, id);
  };
  const rule = kind === "global" ? null : scopeIdRule(kind);

  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <form onSubmit={submit} className="flex flex-col gap-3 lg:flex-row lg:items-start" aria-label="Choose a scope">
        <div role="radiogroup" aria-label="Scope kind" className="inline-flex shrink-0 self-start rounded-lg bg-slate-100 p-0.5">
          {SCOPE_KINDS.map((k) => (
            <button
              key={k}
              type="button"
              role="radio"
              aria-checked={kind === k}
              onClick={() => {
                setKind(k);
                setError(null);
                if (k === "global") open("global", "");
              }}
              className={`rounded-md px-3 py-1.5 text-sm font-medium ${kind === k ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900"}`}
            >
              {KIND_LABEL[k]}
            </button>
          ))}
        </div>
        {rule && (
          <div className="flex min-w-0 flex-1 flex-col gap-1">
            <div className="flex gap-2">
              <label className="flex min-w-0 flex-1 items-center rounded-lg border border-slate-300 bg-white shadow-sm focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/30">
                <span className="pl-3 font-mono text-sm text-slate-400">{kind}:</span>
                <span className="sr-only">{KIND_LABEL[kind]} id</span>
                <input
                  value={id}
                  onChange={(e) => setId(e.target.value)}
                  placeholder={rule.placeholder}
                  aria-invalid={error ? true : undefined}
                  aria-describedby="scope-error"
                  className={`${field} border-0 pl-1 font-mono shadow-none focus:ring-0`}
                  data-testid="scope-id"
                />
              </label>
              <button type="submit" className={btn.primary}>
                Open
              </button>
            </div>
            <p id="scope-error" className={`text-xs ${error ? "text-red-700" : "text-slate-500"}`} role={error ? "alert" : undefined}>
              {error ?? rule.hint}
            </p>
          </div>
        )}
      </form>
      {summary.data && summary.data.scopes.length > 0 && (
        <div className="mt-3 flex flex-wrap items-center gap-1.5 border-t border-slate-100 pt-3" data-testid="live-scopes">
          <span className="mr-1 text-xs text-slate-500">Scopes with entries:</span>
          {summary.data.scopes.map((s) => (
            <button
              key={s.scope}
              type="button"
              onClick={() => {
                const parsed = parseScope(s.scope);
                if (parsed) {
                  setKind(parsed.kind);
                  setId(parsed.id);
                }
                setError(null);
                onPick(s.scope);
              }}
              className={`rounded-full px-2.5 py-0.5 font-mono text-xs ring-1 ring-inset ${
                s.scope === scope ? "bg-indigo-600 text-white ring-indigo-600" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50"
              }`}
            >
              {s.scope} <span className={s.scope === scope ? "text-indigo-200" : "text-slate-400"}>{s.entries}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
