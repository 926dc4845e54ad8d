"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../_trpc/client";
import { btn } from "../../../_components/buttons";

/** Walks the hash chain on demand (an expensive read, so never on its own). */
export function useVerifyChain() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.audit.verify.queryOptions({}), enabled: false, staleTime: 0, gcTime: 0 });
}
type Verify = ReturnType<typeof useVerifyChain>;

export function VerifyButton({ verify }: { verify: Verify }) {
  return (
    <button type="button" onClick={() => void verify.refetch()} disabled={verify.isFetching} className={btn.secondary} data-testid="verify-chain">
      <svg viewBox="0 0 20 20" className="h-4 w-4 fill-current" aria-hidden="true">
        <path d="M10 1.5l6.5 2.6v5.3c0 4-2.7 7.4-6.5 8.6-3.8-1.2-6.5-4.6-6.5-8.6V4.1L10 1.5zm2.97 5.72a.75.75 0 00-1.06.06L9.2 10.4 7.9 9.2a.75.75 0 10-1.02 1.1l1.85 1.72a.75.75 0 001.07-.05l3.23-3.7a.75.75 0 00-.06-1.05z" />
      </svg>
      {verify.isFetching ? "Verifying…" : "Verify chain"}
    </button>
  );
}

/** The verdict: intact (with how many events and the head hash), or where the chain first breaks. */
export function VerifyResult({ verify, onShowEvent, onDismiss }: { verify: Verify; onShowEvent: (seq: number) => void; onDismiss: () => void }) {
  if (verify.isFetching) return null;
  if (verify.isError) {
    return (
      <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-inset ring-red-600/20">
        Could not verify the chain: {verify.error.message}
      </p>
    );
  }
  const result = verify.data;
  if (!result) return null;
  return (
    <div
      role="status"
      data-testid="verify-result"
      data-ok={result.ok}
      className={`flex items-start gap-3 rounded-lg px-4 py-3 text-sm ring-1 ring-inset ${result.ok ? "bg-emerald-50 text-emerald-900 ring-emerald-600/20" : "bg-red-50 text-red-900 ring-red-600/20"}`}
    >
      <span className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${result.ok ? "bg-emerald-500" : "bg-red-500"}`} aria-hidden="true" />
      <div className="min-w-0 flex-1">
        {result.ok ? (
          <>
            <p>
              <span className="font-semibold">Chain intact.</span> {result.checked.toLocaleString()} events checked, every link and hash matches.
            </p>
            {result.headHash && <p className="mt-0.5 truncate font-mono text-xs opacity-75">head {result.headHash}</p>}
          </>
        ) : (
          <>
            <p>
              <span className="font-semibold">Chain broken at event #{result.firstBadSeq}.</span> {result.reason}
            </p>
            {result.firstBadSeq && (
              <button type="button" onClick={() => onShowEvent(result.firstBadSeq!)} className="mt-1 text-xs font-semibold underline underline-offset-2">
                Show event #{result.firstBadSeq}
              </button>
            )}
          </>
        )}
      </div>
      <button type="button" onClick={onDismiss} className="shrink-0 text-xs font-medium underline opacity-75 hover:opacity-100">
        Dismiss
      </button>
    </div>
  );
}
