"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { useTRPC, useTRPCClient } from "../../../_trpc/client";
import { btn, field } from "../../../_components/buttons";
import { ConfirmDialog } from "../../../_components/confirm-dialog";
import { PageTitle } from "../../../_components/page-title";
import { EmptyState, ErrorState, LoadingRows } from "../../../_components/query-states";
import { useCursorPages } from "../../../_components/use-cursor-pages";
import { useNow } from "../../../_components/use-now";
import { useActorLabels } from "../../../_components/actor-names";
import { EntryEditor, type PutResult } from "./entry-editor";
import { EntryHistory } from "./entry-history";
import { EntryList, type Entry } from "./entry-list";
import { LiveBadge } from "./live-badge";
import { parseScope } from "./scope";
import { ScopePicker } from "./scope-picker";
import { useLiveScope } from "./use-live-scope";

type Editing = { entry: Entry | null } | null;

/** The Context page: a scope (from the URL), its live entries, editing for operators, history for all. */
export function ContextView({ canWrite, me }: { canWrite: boolean; me: { id: string; email: string } }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const scope = parseScope(params.get("scope"))?.scope ?? "global";
  const [prefix, setPrefix] = useState("");
  const [editing, setEditing] = useState<Editing>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Entry | null>(null);
  const [notice, setNotice] = useState<{ tone: "ok" | "warn"; text: string } | null>(null);
  const now = useNow(1_000);

  const input = { scope, ...(prefix ? { prefix } : {}), limit: 100 };
  const listKey = [...trpc.context.list.pathKey(), { input, type: "infinite" }];
  const query = useCursorPages(listKey, (cursor: string | null, signal) => client.context.list.query({ ...input, cursor: cursor ?? undefined }, { signal }));
  const live = useLiveScope(scope, listKey, prefix);
  const entries = (query.data?.pages.flatMap((p) => p.items) ?? []).filter((e) => Date.parse(e.expiresAt) > now);
  const label = useActorLabels(
    entries.map((e) => e.updatedBy),
    me,
  );
  const byKey = (key: string | null | undefined) => entries.find((e) => e.key === key);

  const remove = useMutation(
    trpc.context.delete.mutationOptions({
      onSuccess: (res, vars) => {
        setDeleting(null);
        setNotice({ tone: "ok", text: res.deleted ? `Deleted ${vars.key}.` : `${vars.key} was already gone.` });
        void queryClient.invalidateQueries({ queryKey: trpc.context.list.pathKey() });
      },
    }),
  );
  const saved = (r: PutResult) => {
    setEditing(null);
    setNotice(
      r.conflict
        ? { tone: "warn", text: `Saved ${r.entry.key} as v${r.entry.version}, overwriting a change made after you opened it (last write wins; the conflict is in the history and the audit log).` }
        : { tone: "ok", text: `Saved ${r.entry.key} as v${r.entry.version}.` },
    );
    void queryClient.invalidateQueries({ queryKey: trpc.context.list.pathKey() });
  };
  const pick = (s: string) => {
    setNotice(null);
    router.replace(`${pathname}?scope=${encodeURIComponent(s)}`, { scroll: false });
  };
  const closeEditor = useCallback(() => setEditing(null), []);
  const closeHistory = useCallback(() => setViewing(null), []);

  return (
    <>
      <PageTitle
        title="Context"
        description="Shared state for GPT, Cursor and the team: JSON entries per scope, each expiring after its time to live."
        actions={
          canWrite ? (
            <button type="button" onClick={() => setEditing({ entry: null })} className={btn.primary} data-testid="new-entry">
              New entry
            </button>
          ) : undefined
        }
      />
      <div className="space-y-4">
        <ScopePicker key={scope} scope={scope} onPick={pick} />
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="flex min-w-0 items-center gap-3">
            <h2 className="truncate font-mono text-sm font-semibold text-slate-900" data-testid="current-scope">
              {scope}
            </h2>
            <LiveBadge status={live.status} />
          </div>
          <input
            type="search"
            value={prefix}
            onChange={(e) => setPrefix(e.target.value.replace(/[^A-Za-z0-9._:/-]/g, ""))}
            placeholder="Filter by key prefix"
            aria-label="Filter by key prefix"
            className={`${field} w-full sm:w-64`}
          />
        </div>
        {notice && (
          <p
            role="status"
            className={`flex items-start justify-between gap-3 rounded-lg px-3 py-2 text-sm ring-1 ring-inset ${notice.tone === "ok" ? "bg-emerald-50 text-emerald-800 ring-emerald-600/20" : "bg-amber-50 text-amber-900 ring-amber-600/20"}`}
            data-testid="context-notice"
          >
            <span>{notice.text}</span>
            <button type="button" onClick={() => setNotice(null)} className="shrink-0 text-xs font-medium underline" aria-label="Dismiss">
              Dismiss
            </button>
          </p>
        )}
        {!canWrite && <p className="text-xs text-slate-500">You can read this scope; editing needs the operator role.</p>}
        {query.isPending ? (
          <LoadingRows rows={5} label="Loading entries…" />
        ) : query.isError && entries.length === 0 ? (
          <ErrorState title="Could not load the entries" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        ) : entries.length === 0 ? (
          <EmptyState title={prefix ? `No keys starting with "${prefix}"` : `Nothing in ${scope} yet`}>
            {canWrite
              ? "Add an entry, or write one through PUT /ai/context; it appears here as soon as it is written."
              : "Entries written through the API or by operators appear here as soon as they are written."}
          </EmptyState>
        ) : (
          <>
            <EntryList
              entries={entries}
              now={now}
              canWrite={canWrite}
              flashed={live.flashed}
              label={label}
              onOpen={(e) => setViewing(e.key)}
              onEdit={(e) => setEditing({ entry: e })}
              onDelete={(e) => setDeleting(e)}
            />
            {query.hasNextPage && (
              <div className="flex justify-center">
                <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage} className={btn.secondary}>
                  {query.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </>
        )}
      </div>
      {editing && <EntryEditor scope={scope} entry={editing.entry} latest={byKey(editing.entry?.key)} onSaved={saved} onClose={closeEditor} />}
      {viewing && <EntryHistory scope={scope} entryKey={viewing} entry={byKey(viewing)} now={now} label={label} onClose={closeHistory} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.key}?`}
          confirmLabel="Delete entry"
          pending={remove.isPending}
          error={remove.error?.message}
          onConfirm={() => remove.mutate({ scope, key: deleting.key })}
          onCancel={() => {
            setDeleting(null);
            remove.reset();
          }}
        >
          <p>
            Removes it from <span className="font-mono">{scope}</span> for every client at once. Its history stays in the audit log.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
