"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";
import { DryRunResult } from "./dry-run-result";

const HELP =
  'Each rule: { "id", "description"?, "match": { "clients"?, "actions"?, "target": { "repo"?, "branch"?, "environment"?, "server"?, "app"? }, "params"?, "time": { "days"?, "from"?, "to"?, "timeZone" }? }, "decision": "allow" | "deny" | "require_approval", "approvals": { "count", "roles", "expiresInMinutes" } }. Patterns are globs (* and ?), case-insensitive. No rule matching denies.';

function parse(text: string): { rules: unknown } | { error: string } {
  try {
    return { rules: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
}

/** JSON editor for the rules: validated and dry-run against recent intents before saving a new version. */
export function PolicyEditor() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery(trpc.policy.get.queryOptions({}));
  const versions = useQuery(trpc.policy.versions.queryOptions({ limit: 10 }));
  const [text, setText] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const dryRun = useMutation(trpc.policy.dryRun.mutationOptions());
  const save = useMutation(
    trpc.policy.replace.mutationOptions({
      onSuccess: () => {
        setText(null);
        setComment("");
        dryRun.reset();
        void queryClient.invalidateQueries({ queryKey: trpc.policy.pathKey() });
      },
    }),
  );

  if (current.isPending)
    return (
      <p className="text-sm text-slate-500" data-testid="loading">
        Loading the policy…
      </p>
    );
  if (current.isError)
    return (
      <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-700">
        {current.error.message}
      </p>
    );
  const value = text ?? JSON.stringify(current.data.rules, null, 2);
  const withRules = (fn: (rules: unknown) => void) => {
    const parsed = parse(value);
    if ("error" in parsed) return setLocalError(parsed.error);
    setLocalError(null);
    fn(parsed.rules);
  };
  const error = localError ?? dryRun.error?.message ?? save.error?.message ?? null;

  return (
    <div className="space-y-4" data-testid="policy-editor">
      <p className="text-sm text-slate-600">
        Version <strong data-testid="policy-version">{current.data.version}</strong> in force, saved by {current.data.createdBy} on {new Date(current.data.createdAt).toLocaleString()}: “
        {current.data.comment}”.
      </p>
      <label htmlFor="policy-json" className="block text-sm font-medium text-slate-700">
        Rules (JSON)
      </label>
      <textarea
        id="policy-json"
        value={value}
        onChange={(e) => {
          setText(e.target.value);
          dryRun.reset();
        }}
        spellCheck={false}
        rows={22}
        className="w-full rounded-lg border border-slate-300 p-3 font-mono text-xs focus:border-slate-500 focus:outline-none"
      />
      <p className="text-xs text-slate-500">{HELP}</p>
      {error && (
        <p role="alert" className="whitespace-pre-wrap break-words rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-700" data-testid="policy-error">
          {error}
        </p>
      )}
      <div className="flex flex-wrap items-end gap-3">
        <button
          type="button"
          onClick={() => withRules((rules) => dryRun.mutate({ rules, limit: 200 }))}
          disabled={dryRun.isPending}
          className="rounded-lg px-3 py-1.5 text-sm font-semibold text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
        >
          {dryRun.isPending ? "Checking…" : "Validate and dry-run"}
        </button>
        <label className="min-w-0 flex-1 text-sm font-medium text-slate-700">
          Comment
          <input
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            maxLength={500}
            placeholder="What changes and why"
            className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-1.5 text-sm"
          />
        </label>
        <button
          type="button"
          disabled={!dryRun.data || comment.trim() === "" || save.isPending}
          onClick={() => withRules((rules) => save.mutate({ baseVersion: current.data.version, rules, comment }))}
          className="rounded-lg bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-50"
          title={dryRun.data ? undefined : "Dry-run the change first"}
        >
          {save.isPending ? "Saving…" : `Save as version ${current.data.version + 1}`}
        </button>
      </div>
      {dryRun.data && <DryRunResult result={dryRun.data} />}
      {versions.data && (
        <section>
          <h2 className="text-sm font-semibold text-slate-900">Versions</h2>
          <ul className="mt-2 space-y-1 text-sm text-slate-600" data-testid="policy-versions">
            {versions.data.map((v) => (
              <li key={v.version} className="break-words">
                v{v.version} · {new Date(v.createdAt).toLocaleString()} · {v.createdBy} · {v.comment}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
