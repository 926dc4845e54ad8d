"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, type RouterOutputs } from "../../../_trpc/client";
import { describeTarget } from "./status-pill";

type Detail = RouterOutputs["intents"]["detail"];

/** Approve or deny, each with a comment and a confirmation step; bound to the payload hash shown. */
export function DecisionPanel({ intent }: { intent: Detail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const [confirming, setConfirming] = useState<"approve" | "deny" | null>(null);
  const done = { onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.intents.pathKey() }), onSettled: () => setConfirming(null) };
  const approve = useMutation(trpc.intents.approve.mutationOptions(done));
  const deny = useMutation(trpc.intents.deny.mutationOptions(done));
  const { eligibility } = intent;
  const error = approve.error ?? deny.error;
  const busy = approve.isPending || deny.isPending;

  if (intent.status !== "pending_approval") return null;
  if (!eligibility.canApprove && !eligibility.canDeny) {
    return (
      <p className="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700" data-testid="not-eligible">
        {eligibility.reason}
      </p>
    );
  }
  const submit = () => {
    const input = { id: intent.id, comment, payloadHash: intent.payloadHash };
    if (confirming === "approve") approve.mutate(input);
    if (confirming === "deny") deny.mutate(input);
  };
  return (
    <section aria-labelledby="decide-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="decision-panel">
      <h2 id="decide-heading" className="text-sm font-semibold text-slate-900">
        Your decision
      </h2>
      {eligibility.reason && (
        <p className="mt-2 rounded-md bg-amber-50 p-2 text-sm text-amber-800" data-testid="not-eligible">
          {eligibility.reason}
        </p>
      )}
      <label htmlFor="decision-comment" className="mt-3 block text-sm font-medium text-slate-700">
        Comment (required)
      </label>
      <textarea
        id="decision-comment"
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        maxLength={2000}
        rows={3}
        className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 text-sm focus:border-slate-500 focus:outline-none"
        placeholder="Why you approve or deny"
      />
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700" data-testid="decision-error">
          {error.message}
        </p>
      )}
      {confirming ? (
        <div className="mt-3 rounded-lg border border-slate-300 bg-slate-50 p-3" data-testid="confirm">
          <p className="text-sm text-slate-800">
            {confirming === "approve" ? "Approve" : "Deny"} <strong>{intent.action.replace(/_/g, " ")}</strong> {describeTarget(intent.target)}?
            {confirming === "approve" && intent.approvals.received + 1 >= intent.approvals.required ? " It will execute right away." : ""}
          </p>
          <div className="mt-2 flex gap-2">
            <button
              type="button"
              onClick={submit}
              disabled={busy}
              className={`rounded-lg px-3 py-1.5 text-sm font-semibold text-white disabled:opacity-60 ${confirming === "approve" ? "bg-emerald-600 hover:bg-emerald-700" : "bg-red-600 hover:bg-red-700"}`}
            >
              {busy ? "Saving…" : confirming === "approve" ? "Yes, approve" : "Yes, deny"}
            </button>
            <button
              type="button"
              onClick={() => setConfirming(null)}
              disabled={busy}
              className="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-white"
            >
              Back
            </button>
          </div>
        </div>
      ) : (
        <div className="mt-3 flex flex-wrap gap-2">
          <button
            type="button"
            disabled={!eligibility.canApprove || comment.trim() === ""}
            onClick={() => setConfirming("approve")}
            className="rounded-lg bg-emerald-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-emerald-700 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Approve
          </button>
          <button
            type="button"
            disabled={!eligibility.canDeny || comment.trim() === ""}
            onClick={() => setConfirming("deny")}
            className="rounded-lg bg-white px-3 py-1.5 text-sm font-semibold text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Deny
          </button>
        </div>
      )}
    </section>
  );
}
