import { Badge } from "../../../_components/badge";
import type { CodeResult } from "@/server/features/search/schema";

/** One file: where it is, why it matched, and the best lines (server-escaped HTML with <mark> only). */
export function SearchResultCard({ result: r }: { result: CodeResult }) {
  const where = `${r.path}:${r.startLine}-${r.endLine}`;
  return (
    <article className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="search-result">
      <div className="flex flex-wrap items-center gap-2">
        {r.url ? (
          <a href={r.url} target="_blank" rel="noreferrer" className="font-mono text-sm font-semibold text-indigo-700 hover:underline">
            {where}
          </a>
        ) : (
          <span className="font-mono text-sm font-semibold text-slate-900" title={r.localPath ?? undefined}>
            {r.localPath ? `${r.localPath}:${r.startLine}` : where}
          </span>
        )}
        {r.symbol && <Badge tone="indigo">{r.symbol}</Badge>}
        {r.language && <Badge tone="slate">{r.language}</Badge>}
        <span className="ml-auto flex gap-1">
          {r.retrievers.map((x) => (
            <Badge key={x} tone={x === "vector" ? "sky" : "green"}>
              {x}
            </Badge>
          ))}
        </span>
      </div>
      <p className="mt-1 text-xs text-slate-500">
        {r.repo} · score {r.score.toFixed(3)}
      </p>
      {r.summary && <p className="mt-2 line-clamp-2 text-sm text-slate-600">{r.summary}</p>}
      {r.snippet && (
        <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-50 p-3 text-xs leading-5 text-slate-800 [&_mark]:rounded [&_mark]:bg-amber-200 [&_mark]:px-0.5">
          {/* The server HTML-escapes the indexed code and adds only <mark> (features/search/snippet.ts). */}
          <code dangerouslySetInnerHTML={{ __html: r.snippet.html }} data-testid="snippet" />
        </pre>
      )}
    </article>
  );
}
