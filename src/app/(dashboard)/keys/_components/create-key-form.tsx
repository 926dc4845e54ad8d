"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { DEFAULT_RATE_LIMITS, OPERATION_KINDS, SCOPES, type OperationKind, type Scope } from "@/server/core/auth/permissions";
import { useTRPC } from "../../../_trpc/client";
import { btn, field, label } from "../../../_components/buttons";
import { fromLocalInput } from "../../../_components/time";
import type { KeyView } from "./keys-manager";

const SCOPE_HINTS: Record<Scope, string> = {
  "context:read": "Read shared context",
  "context:write": "Write and delete shared context",
  "audit:read": "Read the audit log",
  "github:read": "Read repositories, commits, runs",
  "search:read": "Search code and docs",
  "intents:propose": "Propose changes for approval",
  "intents:read": "Read proposed changes",
  "cursor:write": "Record Cursor sessions",
  "metrics:read": "Read metrics",
  "suggestions:read": "Read daily suggestions",
  "hosting:read": "Read hosting (Cloudways, WordPress)",
  admin: "Everything, including key management",
};

/** Same rule as the server (core/auth/key-store.ts), so a typo shows before the round trip. */
const CLIENT_ID = "[a-z0-9][a-z0-9._\\-]{0,62}";

export function CreateKeyForm({ onCreated, onCancel }: { onCreated: (c: { key: string; record: KeyView }) => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [clientId, setClientId] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["context:read"]);
  const [expires, setExpires] = useState("");
  const [limits, setLimits] = useState<Partial<Record<OperationKind, string>>>({});
  const create = useMutation(
    trpc.keys.create.mutationOptions({
      onSuccess: async (created) => {
        await queryClient.invalidateQueries({ queryKey: trpc.keys.list.pathKey() });
        onCreated(created);
      },
    }),
  );

  const toggle = (s: Scope) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const rateLimits = Object.fromEntries(OPERATION_KINDS.filter((k) => limits[k]).map((k) => [k, Number(limits[k])]));
    const expiresAt = fromLocalInput(expires);
    create.mutate({
      clientId: clientId.trim(),
      scopes,
      ...(expiresAt ? { expiresAt } : {}),
      ...(Object.keys(rateLimits).length ? { rateLimits } : {}),
    });
  };

  return (
    <form onSubmit={submit} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="create-key-heading" data-testid="create-key-form">
      <h2 id="create-key-heading" className="text-sm font-semibold text-slate-900">
        New API key
      </h2>
      <div className="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2">
        <label className={label}>
          Client id
          <input
            required
            pattern={CLIENT_ID}
            title="1–63 characters of a–z, 0–9, '.', '_' or '-', starting with a letter or digit"
            className={`${field} mt-1 font-mono`}
            placeholder="gpt, cursor, ci…"
            value={clientId}
            onChange={(e) => setClientId(e.target.value)}
          />
          <span className="mt-1 block font-normal text-slate-400">The client is created on first use; one client can hold several keys.</span>
        </label>
        <label className={label}>
          Expires (optional)
          <input type="datetime-local" className={`${field} mt-1`} value={expires} onChange={(e) => setExpires(e.target.value)} />
          <span className="mt-1 block font-normal text-slate-400">Leave empty for a key that lasts until revoked.</span>
        </label>
      </div>

      <fieldset className="mt-5">
        <legend className={label}>Scopes</legend>
        <div className="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-2 lg:grid-cols-3">
          {SCOPES.map((s) => (
            <label key={s} className={`flex cursor-pointer items-start gap-2 rounded-lg border px-3 py-2 text-sm ${scopes.includes(s) ? "border-indigo-300 bg-indigo-50/50" : "border-slate-200"}`}>
              <input type="checkbox" className="mt-0.5 h-4 w-4 accent-indigo-600" checked={scopes.includes(s)} onChange={() => toggle(s)} />
              <span className="min-w-0">
                <span className="block font-mono text-xs font-medium text-slate-800">{s}</span>
                <span className="block text-xs text-slate-500">{SCOPE_HINTS[s]}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset className="mt-5">
        <legend className={label}>Rate limits per minute (optional)</legend>
        <div className="mt-2 grid grid-cols-3 gap-3 sm:max-w-md">
          {OPERATION_KINDS.map((k) => (
            <label key={k} className="block text-xs text-slate-500">
              {k}
              <input
                type="number"
                min={1}
                step={1}
                inputMode="numeric"
                className={`${field} mt-1`}
                placeholder={String(DEFAULT_RATE_LIMITS[k])}
                value={limits[k] ?? ""}
                onChange={(e) => setLimits((l) => ({ ...l, [k]: e.target.value }))}
              />
            </label>
          ))}
        </div>
      </fieldset>

      {create.isError && (
        <p role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {create.error.message}
        </p>
      )}
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" onClick={onCancel} className={btn.secondary}>
          Cancel
        </button>
        <button type="submit" disabled={create.isPending || scopes.length === 0} className={btn.primary}>
          {create.isPending ? "Creating…" : "Create key"}
        </button>
      </div>
    </form>
  );
}
