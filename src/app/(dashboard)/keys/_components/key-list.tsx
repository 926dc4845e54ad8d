"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, useTRPCClient } from "../../../_trpc/client";
import { Badge } from "../../../_components/badge";
import { btn } from "../../../_components/buttons";
import { ConfirmDialog } from "../../../_components/confirm-dialog";
import { EmptyState, ErrorState, LoadingRows } from "../../../_components/query-states";
import { formatDateTime, formatRelative } from "../../../_components/time";
import { useCursorPages } from "../../../_components/use-cursor-pages";
import { useNow } from "../../../_components/use-now";
import type { KeyView } from "./keys-manager";

function stateOf(k: KeyView, now: number): "active" | "expired" | "revoked" {
  if (k.revokedAt) return "revoked";
  if (k.expiresAt && Date.parse(k.expiresAt) <= now) return "expired";
  return "active";
}
const STATE_TONE = { active: "green", expired: "amber", revoked: "slate" } as const;

export function KeyList({ onCreate, highlight }: { onCreate?: () => void; highlight?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(30_000);
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [revoking, setRevoking] = useState<KeyView | null>(null);
  const client = useTRPCClient();
  const input = { includeRevoked, limit: 50 };
  const query = useCursorPages([...trpc.keys.list.pathKey(), { input, type: "infinite" }], (cursor: string | null, signal) =>
    client.keys.list.query({ ...input, cursor: cursor ?? undefined }, { signal }),
  );
  const revoke = useMutation(
    trpc.keys.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.keys.list.pathKey() });
        setRevoking(null);
      },
    }),
  );
  const keys = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="keys-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="keys-heading" className="text-sm font-semibold text-slate-900">
          Keys
        </h2>
        <div className="flex items-center gap-4">
          <label className="flex items-center gap-2 text-sm text-slate-600">
            <input type="checkbox" className="h-4 w-4 accent-indigo-600" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} />
            Show revoked
          </label>
          {onCreate && (
            <button type="button" onClick={onCreate} className={btn.primary} data-testid="new-key-button">
              New key
            </button>
          )}
        </div>
      </div>
      {query.isPending ? (
        <LoadingRows rows={4} label="Loading keys…" />
      ) : query.isError ? (
        <ErrorState title="Could not load the keys" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
      ) : keys.length === 0 ? (
        <EmptyState title="No API keys yet">Create one for each client (GPT, Cursor, CI) so every call is attributed and can be revoked alone.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="key-list">
          {keys.map((k) => {
            const state = stateOf(k, now);
            return (
              <li key={k.id} className={`flex flex-col gap-3 px-4 py-3.5 sm:flex-row sm:items-center ${highlight === k.prefix ? "bg-emerald-50/60" : ""}`} data-testid="key-row" data-prefix={k.prefix}>
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <code className="font-mono text-sm font-semibold text-slate-900">{k.prefix}…</code>
                    <span className="text-sm text-slate-600">{k.clientId}</span>
                    <Badge tone={STATE_TONE[state]} testId="key-state">
                      {state}
                    </Badge>
                  </div>
                  <div className="mt-1.5 flex flex-wrap gap-1">
                    {k.scopes.map((s) => (
                      <span key={s} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-600">
                        {s}
                      </span>
                    ))}
                  </div>
                  <p className="mt-1.5 text-xs text-slate-500">
                    Last used {k.lastUsedAt ? <span title={formatDateTime(k.lastUsedAt)}>{formatRelative(k.lastUsedAt, now)}</span> : "never"} · created{" "}
                    <span title={formatDateTime(k.createdAt)}>{formatRelative(k.createdAt, now)}</span> by {k.createdBy}
                    {k.expiresAt && ` · ${state === "expired" ? "expired" : "expires"} ${formatRelative(k.expiresAt, now)}`}
                    {k.rateLimits &&
                      ` · limits ${Object.entries(k.rateLimits)
                        .map(([kind, n]) => `${kind} ${n}/min`)
                        .join(", ")}`}
                  </p>
                </div>
                {state !== "revoked" && (
                  <button type="button" onClick={() => setRevoking(k)} className={`${btn.ghostDanger} self-start sm:self-center`} aria-label={`Revoke ${k.prefix}`}>
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {query.hasNextPage && (
        <div className="flex justify-center">
          <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage} className={btn.secondary}>
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.prefix}…?`}
          confirmLabel="Revoke key"
          pending={revoke.isPending}
          error={revoke.error?.message}
          onConfirm={() => revoke.mutate({ prefix: revoking.prefix })}
          onCancel={() => {
            setRevoking(null);
            revoke.reset();
          }}
        >
          <p>
            <strong>{revoking.clientId}</strong> loses access at once: every call with this key gets 401 from now on. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
