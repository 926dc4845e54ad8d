"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../../../_trpc/client";
import { btn, field, label } from "../../../_components/buttons";
import { PageTitle } from "../../../_components/page-title";
import { EmptyState, ErrorState, LoadingRows } from "../../../_components/query-states";
import { SearchResultCard } from "./search-result";

const FILTERS = ["repo", "path", "language"] as const;
type Form = Record<"q" | (typeof FILTERS)[number], string>;

/** The Search page: the query and filters live in the URL (?q=&repo=&path=&language=), so a search can be shared. */
export function SearchView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const current: Form = { q: params.get("q") ?? "", repo: params.get("repo") ?? "", path: params.get("path") ?? "", language: params.get("language") ?? "" };
  const [form, setForm] = useState<Form>(current);
  const input = { q: current.q, repo: current.repo || undefined, path: current.path || undefined, language: current.language || undefined, limit: 20 };
  const query = useQuery({ ...trpc.search.code.queryOptions(input), enabled: current.q.trim().length > 0 });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v.trim()) next.set(k, v.trim());
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };

  return (
    <>
      <PageTitle title="Search" description="Find code in the indexed repositories: ask in prose or name an identifier." />
      <form onSubmit={submit} className="mb-5 space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" role="search">
        <div className="flex gap-2">
          <input
            aria-label="Search query"
            name="q"
            className={field}
            placeholder="e.g. where are webhook signatures verified?"
            value={form.q}
            onChange={(e) => setForm({ ...form, q: e.target.value })}
            maxLength={300}
          />
          <button type="submit" className={btn.primary} disabled={!form.q.trim()}>
            Search
          </button>
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          {FILTERS.map((name) => (
            <label key={name} className={label}>
              {name === "path" ? "Path (glob)" : name[0]!.toUpperCase() + name.slice(1)}
              <input
                name={name}
                className={`${field} mt-1`}
                placeholder={name === "repo" ? "owner/name" : name === "path" ? "src/**/*.ts" : "typescript"}
                value={form[name]}
                onChange={(e) => setForm({ ...form, [name]: e.target.value })}
              />
            </label>
          ))}
        </div>
      </form>
      {!current.q ? (
        <EmptyState title="Search the indexed code">Results show the file, its lines, why it matched and a highlighted snippet.</EmptyState>
      ) : query.isPending ? (
        <LoadingRows rows={6} label="Searching…" />
      ) : query.isError ? (
        <ErrorState title="Search failed" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
      ) : query.data.results.length === 0 ? (
        <EmptyState title={`Nothing matches “${current.q}”`}>Try other words, an identifier, or fewer filters. Repositories appear once indexed (see Repos).</EmptyState>
      ) : (
        <div className="space-y-3" data-testid="search-results">
          <p className="text-xs text-slate-500">
            {query.data.mode === "hybrid" ? "Full-text and vector similarity" : "Full-text (no embeddings configured)"} · searched for {query.data.terms.join(", ")}
          </p>
          {query.data.results.map((r) => (
            <SearchResultCard key={`${r.repo}/${r.path}`} result={r} />
          ))}
        </div>
      )}
    </>
  );
}
