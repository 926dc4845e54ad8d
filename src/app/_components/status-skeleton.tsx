function Block({ className }: { className: string }) {
  return <div className={`animate-pulse rounded-md bg-slate-200 ${className}`} />;
}

export function StatusSkeleton() {
  return (
    <div role="status" aria-live="polite" className="space-y-6" data-testid="status-loading">
      <span className="sr-only">Loading status…</span>
      <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <Block className="h-7 w-36 rounded-full" />
        <div className="mt-5 grid grid-cols-3 gap-3 sm:gap-4">
          {[0, 1, 2].map((i) => (
            <div key={i} className="space-y-2">
              <Block className="h-3 w-16" />
              <Block className="h-4 w-24" />
            </div>
          ))}
        </div>
      </div>
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {[0, 1, 2, 3, 4, 5].map((i) => (
          <li key={i} className="space-y-3 rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm">
            <div className="flex justify-between">
              <Block className="h-4 w-24" />
              <Block className="h-5 w-14 rounded-full" />
            </div>
            <Block className="h-3 w-32" />
          </li>
        ))}
      </ul>
    </div>
  );
}
