"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../../_trpc/client";
import { Badge, type Tone } from "../../../_components/badge";
import { btn } from "../../../_components/buttons";
import { PageTitle } from "../../../_components/page-title";
import { EmptyState, ErrorState, LoadingRows } from "../../../_components/query-states";
import { formatRelative } from "../../../_components/time";
import { useNow } from "../../../_components/use-now";

const STATE_TONE: Record<string, Tone> = { ready: "green", indexing: "sky", queued: "indigo", failed: "red", never: "slate" };
const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

/** The Repos page: each repo's index (commit, files, chunks, vectors, last run) and a Reindex button for operators. */
export function ReposView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(30_000);
  const list = useQuery({ ...trpc.repoIndex.list.queryOptions({}), refetchInterval: 10_000 });
  const reindex = useMutation(trpc.repoIndex.reindex.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.repoIndex.list.queryKey() }) }));

  return (
    <>
      <PageTitle title="Repos" description="What the search index holds for each repository, and how its last run went." />
      {list.isPending ? (
        <LoadingRows rows={3} label="Loading repositories…" />
      ) : list.isError ? (
        <ErrorState title="Could not load repositories" error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : list.data.repos.length === 0 ? (
        <EmptyState title="No repositories registered">Set GITHUB_TOKEN and GITHUB_REPO, or run the app inside a git checkout, then index with `npx orchestrator index`.</EmptyState>
      ) : (
        <div className="space-y-3">
          {reindex.isError && <ErrorState title="Could not queue a reindex" error={reindex.error} />}
          {list.data.repos.map((r) => (
            <section key={r.id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="repo-card">
              <div className="flex flex-wrap items-center gap-2">
                <h2 className="font-mono text-sm font-semibold text-slate-900">
                  {r.htmlUrl ? (
                    <a href={r.htmlUrl} className="hover:underline">
                      {r.id}
                    </a>
                  ) : (
                    r.id
                  )}
                </h2>
                <Badge tone={STATE_TONE[r.indexState] ?? "slate"}>{r.indexState}</Badge>
                <Badge tone="slate">{r.source}</Badge>
                {list.data.canReindex && (
                  <button type="button" className={`${btn.secondary} ml-auto`} disabled={reindex.isPending && reindex.variables?.repo === r.id} onClick={() => reindex.mutate({ repo: r.id })}>
                    {reindex.isPending && reindex.variables?.repo === r.id ? "Queueing…" : "Reindex"}
                  </button>
                )}
              </div>
              <dl className="mt-3 grid grid-cols-2 gap-3 text-sm sm:grid-cols-5">
                <Stat name="Indexed commit" value={r.indexedSha ? r.indexedSha.slice(0, 12) : "—"} hint={r.indexedAt ? formatRelative(r.indexedAt, now) : "never"} />
                <Stat name="Files" value={r.files.toLocaleString()} />
                <Stat name="Chunks" value={r.chunks.toLocaleString()} />
                <Stat name="Vectors" value={r.vectors === null ? "—" : r.vectors.toLocaleString()} hint={r.vectors === null ? "not in pgvector" : undefined} />
                <Stat
                  name="Last run"
                  value={r.lastRun ? `${r.lastRun.status} · ${seconds(r.lastRun.durationMs)}` : "none"}
                  hint={r.lastRun ? `${r.lastRun.trigger}, +${r.lastRun.filesAdded} ~${r.lastRun.filesChanged} −${r.lastRun.filesRemoved}, ${formatRelative(r.lastRun.createdAt, now)}` : undefined}
                />
              </dl>
              {r.lastRun?.error && (
                <p className="mt-3 rounded-lg bg-red-50 p-2 font-mono text-xs text-red-800" role="alert">
                  {r.lastRun.error}
                </p>
              )}
            </section>
          ))}
        </div>
      )}
    </>
  );
}

function Stat({ name, value, hint }: { name: string; value: string; hint?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{name}</dt>
      <dd className="font-medium text-slate-900">{value}</dd>
      {hint && <dd className="text-xs text-slate-400">{hint}</dd>}
    </div>
  );
}
