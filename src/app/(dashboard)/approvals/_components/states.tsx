/** Loading, empty and error states shared by the approvals pages. */
export function Loading({ label }: { label: string }) {
  return (
    <div className="space-y-3" aria-busy="true" aria-label={label} data-testid="loading">
      {[0, 1, 2].map((i) => (
        <div key={i} className="h-16 animate-pulse rounded-lg bg-slate-200/70" />
      ))}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="empty">
      <p className="text-sm font-medium text-slate-700">{title}</p>
      {children && <p className="mx-auto mt-1 max-w-md text-sm text-slate-500">{children}</p>}
    </div>
  );
}

export function Failure({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-5" data-testid="error">
      <h2 className="text-sm font-semibold text-red-800">Something went wrong</h2>
      <p className="mt-1 break-words text-sm text-red-700">{message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry} className="mt-3 rounded-lg bg-white px-3 py-1.5 text-sm font-medium text-red-800 shadow-sm ring-1 ring-inset ring-red-300 hover:bg-red-100">
          Retry
        </button>
      )}
    </div>
  );
}
