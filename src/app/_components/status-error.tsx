export function StatusError({ message, unauthorized, onRetry, retrying }: { message: string; unauthorized: boolean; onRetry: () => void; retrying: boolean }) {
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-5" data-testid="status-error">
      <h2 className="text-sm font-semibold text-red-800">{unauthorized ? "Your session has ended" : "Could not load the status"}</h2>
      <p className="mt-1 break-words text-sm text-red-700">{message}</p>
      <div className="mt-4">
        {unauthorized ? (
          <a href="/signin" className="text-sm font-semibold text-red-800 underline underline-offset-2">
            Sign in again
          </a>
        ) : (
          <button
            type="button"
            onClick={onRetry}
            disabled={retrying}
            className="rounded-lg bg-white px-3 py-1.5 text-sm font-medium text-red-800 shadow-sm ring-1 ring-inset ring-red-300 hover:bg-red-100 disabled:opacity-60"
          >
            {retrying ? "Retrying…" : "Retry"}
          </button>
        )}
      </div>
    </div>
  );
}
