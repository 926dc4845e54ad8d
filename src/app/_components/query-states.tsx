import type { ReactNode } from "react";

/** The HTTP status behind a tRPC client error (401 signed out, 403 forbidden, …). */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
}

/** A failed load: what went wrong, and a retry (or sign-in again when the session ended). */
export function ErrorState({ title, error, onRetry, retrying = false }: { title: string; error: { message: string }; onRetry?: () => void; retrying?: boolean }) {
  const status = httpStatusOf(error);
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-5" data-testid="error-state">
      <h2 className="text-sm font-semibold text-red-800">{status === 401 ? "Your session has ended" : status === 403 ? "Not allowed" : title}</h2>
      <p className="mt-1 break-words text-sm text-red-700">{error.message}</p>
      {status === 401 ? (
        <a href="/signin" className="mt-4 inline-block text-sm font-semibold text-red-800 underline underline-offset-2">
          Sign in again
        </a>
      ) : (
        onRetry &&
        status !== 403 && (
          <button
            type="button"
            onClick={onRetry}
            disabled={retrying}
            className="mt-4 rounded-lg bg-white px-3 py-1.5 text-sm font-medium text-red-800 shadow-sm ring-1 ring-inset ring-red-300 hover:bg-red-100 disabled:opacity-60"
          >
            {retrying ? "Retrying…" : "Retry"}
          </button>
        )
      )}
    </div>
  );
}

/** Nothing to show yet: say so, and what would make something appear. */
export function EmptyState({ title, children, testId = "empty-state" }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center" data-testid={testId}>
      <p className="text-sm font-medium text-slate-700">{title}</p>
      {children && <div className="mx-auto mt-1 max-w-md text-sm text-slate-500">{children}</div>}
    </div>
  );
}

/** Placeholder rows while a list loads. */
export function LoadingRows({ rows = 5, label }: { rows?: number; label: string }) {
  return (
    <div role="status" aria-live="polite" className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="loading-state">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="flex items-center gap-4 px-4 py-3.5">
          <div className="h-3 w-24 animate-pulse rounded bg-slate-200" />
          <div className="h-3 flex-1 animate-pulse rounded bg-slate-100" />
          <div className="h-5 w-16 animate-pulse rounded-full bg-slate-200" />
        </div>
      ))}
    </div>
  );
}
