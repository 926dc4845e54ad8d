"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { btn, field } from "../../../_components/buttons";
import { useTRPC, type RouterOutputs } from "../../../_trpc/client";
import { EvidenceList } from "./evidence-list";
import { ageLabel, SeverityBadge } from "../../../_components/severity-badge";

type Finding = RouterOutputs["suggestions"]["daily"]["findings"][number];

/** One finding: what, since when, the evidence, what to do; dismiss, mark done, reopen, propose its intent. */
export function FindingCard({ finding, canAct }: { finding: Finding; canAct: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [dismissing, setDismissing] = useState(false);
  const [reason, setReason] = useState("");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.suggestions.pathKey() });
  const dismiss = useMutation(trpc.suggestions.dismiss.mutationOptions({ onSuccess: refresh }));
  const done = useMutation(trpc.suggestions.done.mutationOptions({ onSuccess: refresh }));
  const reopen = useMutation(trpc.suggestions.reopen.mutationOptions({ onSuccess: refresh }));
  const propose = useMutation(trpc.suggestions.propose.mutationOptions({ onSuccess: refresh }));
  const error = dismiss.error ?? done.error ?? reopen.error ?? propose.error;
  const intentId = propose.data?.intent.id ?? finding.intentId;

  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="finding" data-key={finding.key}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="flex min-w-0 items-center gap-2">
          <SeverityBadge severity={finding.severity} />
          <h3 className="min-w-0 truncate text-sm font-semibold text-slate-900">{finding.title}</h3>
        </div>
        <span className="text-xs text-slate-500" title={`first seen ${finding.firstSeenAt}, last seen ${finding.lastSeenAt}`}>
          {ageLabel(finding.ageDays)}
        </span>
      </div>
      <p className="mt-2 text-sm text-slate-700">{finding.summary}</p>
      {finding.action && (
        <p className="mt-1 text-sm text-slate-900" data-testid="action">
          <span className="font-medium">Next: </span>
          {finding.action}
          {finding.actionSource === "model" && <span className="ml-1 text-xs text-slate-400">(model, checked against the evidence)</span>}
        </p>
      )}
      <EvidenceList items={finding.evidence} />
      {finding.status !== "open" && (
        <p className="mt-3 text-xs text-slate-500" data-testid="status-note">
          {finding.status === "dismissed" ? "Dismissed" : "Marked done"} by {finding.statusBy}
          {finding.statusReason ? `: ${finding.statusReason}` : ""}. It comes back if its evidence changes.
        </p>
      )}
      {intentId && (
        <p className="mt-3 text-xs">
          <Link href={`/approvals/${intentId}`} className="font-medium text-indigo-600 hover:text-indigo-800" data-testid="intent-link">
            Intent proposed →
          </Link>
        </p>
      )}
      {canAct && (
        <div className="mt-3 flex flex-wrap items-center gap-2">
          {finding.status === "open" ? (
            <>
              {finding.proposal && !intentId && (
                <button type="button" className={btn.primary} disabled={propose.isPending} onClick={() => propose.mutate({ id: finding.id })} title={finding.proposal.reason}>
                  {propose.isPending ? "Proposing…" : "Propose as intent"}
                </button>
              )}
              <button type="button" className={btn.secondary} disabled={done.isPending} onClick={() => done.mutate({ id: finding.id })}>
                Mark done
              </button>
              <button type="button" className={btn.secondary} onClick={() => setDismissing((d) => !d)}>
                Dismiss
              </button>
            </>
          ) : (
            <button type="button" className={btn.secondary} disabled={reopen.isPending} onClick={() => reopen.mutate({ id: finding.id })}>
              Reopen
            </button>
          )}
        </div>
      )}
      {dismissing && finding.status === "open" && (
        <form
          className="mt-3 flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            dismiss.mutate({ id: finding.id, reason }, { onSuccess: () => setDismissing(false) });
          }}
        >
          <input
            className={`${field} max-w-md`}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="Why (kept with the dismissal)"
            aria-label="Why dismiss"
            required
            maxLength={500}
          />
          <button type="submit" className={btn.danger} disabled={dismiss.isPending || !reason.trim()}>
            Dismiss
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="mt-2 text-xs text-red-700">
          {error.message}
        </p>
      )}
    </li>
  );
}
