"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { useTRPC, type RouterOutputs } from "../../../_trpc/client";
import { DecisionPanel } from "./decision-panel";
import { Failure, Loading } from "./states";
import { describeTarget, StatusPill } from "./status-pill";

type Detail = RouterOutputs["intents"]["detail"];

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid={testId}>
      <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
      <div className="mt-2 text-sm text-slate-700">{children}</div>
    </section>
  );
}

/** Agent-supplied data, shown exactly and as text (React escapes it; never HTML). */
function Json({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-800" data-testid={testId}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

const when = (iso: string) => new Date(iso).toLocaleString();

export function IntentDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.intents.detail.queryOptions({ id }, { refetchInterval: (query) => (["approved", "executing"].includes(query.state.data?.status ?? "") ? 1_500 : 15_000) }));
  if (q.isPending) return <Loading label="Loading the intent" />;
  if (q.isError) return <Failure message={q.error.message} onRetry={() => void q.refetch()} />;
  const i: Detail = q.data;
  return (
    <div className="space-y-4" data-testid="intent-detail" data-intent={i.id}>
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="min-w-0 break-words text-lg font-semibold text-slate-900">
          {i.action.replace(/_/g, " ")} <span className="font-normal text-slate-600">{describeTarget(i.target)}</span>
        </h2>
        <StatusPill status={i.status} />
      </div>
      <DecisionPanel intent={i} />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Section title="Who asked, and why" testId="intent-why">
          <p>
            {i.requester.type === "api_key" ? "API client " : "Dashboard user "}
            <strong data-testid="intent-requester">{i.requester.id}</strong> on {when(i.createdAt)}
          </p>
          <p className="mt-2 whitespace-pre-wrap break-words rounded-md bg-slate-50 p-3" data-testid="intent-reason">
            {i.reason}
          </p>
        </Section>
        <Section title="What, exactly">
          <p className="text-xs text-slate-500">Target</p>
          <Json value={i.target} testId="intent-target" />
          <p className="mt-2 text-xs text-slate-500">Parameters</p>
          <Json value={i.params} testId="intent-params" />
          <p className="mt-2 break-all text-xs text-slate-500">
            Payload hash <code>{i.payloadHash}</code>
          </p>
        </Section>
        <Section title="Policy" testId="intent-policy">
          <p>
            Decision <strong>{i.policy.decision.replace("_", " ")}</strong> by rule <code>{i.policy.rule ?? "(none: denied by default)"}</code>, policy version {i.policy.version}.
            {i.policy.approvals && ` Needs ${i.policy.approvals.count} approval(s) from ${i.policy.approvals.roles.join(" or ")}.`}
            {i.expiresAt && i.status === "pending_approval" && ` Expires ${when(i.expiresAt)}.`}
          </p>
          <ol className="mt-2 space-y-2" data-testid="intent-trace">
            {i.policy.trace.map((t) => (
              <li key={t.rule} className={`rounded-md border p-2 ${t.matched ? "border-emerald-300 bg-emerald-50" : "border-slate-200"}`}>
                <p className="font-mono text-xs font-semibold">
                  {t.rule} — {t.matched ? "matched" : "did not match"}
                </p>
                <ul className="mt-1 list-disc pl-5 text-xs text-slate-600">
                  {t.reasons.map((r, n) => (
                    <li key={n} className="break-words">
                      {r}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </Section>
        <Section title={`Approvals (${i.approvals.received} of ${i.approvals.required})`} testId="intent-decisions">
          {i.decisions.length === 0 ? (
            <p className="text-slate-500">No decisions yet.</p>
          ) : (
            <ul className="space-y-2">
              {i.decisions.map((d) => (
                <li key={`${d.userEmail}-${d.at}`} className="rounded-md bg-slate-50 p-2">
                  <p className="text-xs">
                    <strong className={d.decision === "approve" ? "text-emerald-700" : "text-red-700"}>{d.decision === "approve" ? "Approved" : "Denied"}</strong> by {d.userEmail}, {when(d.at)}
                  </p>
                  <p className="mt-1 whitespace-pre-wrap break-words">{d.comment}</p>
                </li>
              ))}
            </ul>
          )}
        </Section>
        {i.result && (
          <Section title={i.result.dryRun ? "Execution (dry run: nothing was sent)" : "Execution"} testId="intent-result">
            <p data-testid="intent-result-summary">{i.result.summary}</p>
            {i.result.error && <p className="mt-1 text-red-700">{i.result.error}</p>}
            <p className="mt-2 text-xs text-slate-500">{i.result.dryRun ? "Requests it would have sent" : "Requests sent"}</p>
            <Json value={i.result.requests} testId="intent-requests" />
          </Section>
        )}
        <Section title="Audit trail">
          <Link href={`/audit?intentId=${i.id}`} className="mb-2 inline-block text-xs font-medium text-indigo-600 hover:text-indigo-800" data-testid="intent-audit-link">
            Every event about this intent, with the agent&apos;s polls, in the audit log →
          </Link>
          <ul className="space-y-1 text-xs" data-testid="intent-audit">
            {i.audit.map((e) => (
              <li key={e.seq} className="flex flex-wrap gap-x-2">
                <span className="text-slate-500">{when(e.at)}</span>
                <code>{e.action}</code>
                <span className="break-all text-slate-600">
                  {e.actorType}:{e.actorId}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      </div>
    </div>
  );
}
