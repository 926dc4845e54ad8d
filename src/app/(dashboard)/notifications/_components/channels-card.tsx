"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../_trpc/client";
import { Badge } from "../../../_components/badge";
import { btn } from "../../../_components/buttons";
import { ErrorState, LoadingRows } from "../../../_components/query-states";

const HOW = { slack: "SLACK_WEBHOOK_URL", email: "SMTP_URL (+ NOTIFY_EMAIL_FROM)", webhook: "NOTIFY_WEBHOOK_URL + NOTIFY_WEBHOOK_SECRET" } as const;

/** Each channel, configured or not (its host only, never its URL or password), with a test send. */
export function ChannelsCard() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.notifications.overview.queryOptions({}));
  const test = useMutation(trpc.notifications.sendTest.mutationOptions());
  if (overview.isPending) return <LoadingRows rows={3} label="Loading channels…" />;
  if (overview.isError) return <ErrorState title="Could not load notifications" error={overview.error} onRetry={() => void overview.refetch()} />;
  const { channels, counts } = overview.data;
  return (
    <section aria-labelledby="channels-heading" className="space-y-3">
      <h2 id="channels-heading" className="text-sm font-semibold text-slate-900">
        Channels
      </h2>
      <p className="text-sm text-slate-600" data-testid="delivery-counts">
        {counts.pending} waiting · {counts.sentLastDay} sent in the last day · {counts.dead} dead letters
      </p>
      <ul className="grid gap-3 sm:grid-cols-3">
        {channels.map((c) => (
          <li key={c.name} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid={`channel-${c.name}`}>
            <div className="flex items-center justify-between">
              <span className="text-sm font-semibold capitalize text-slate-900">{c.name}</span>
              <Badge tone={c.configured ? "green" : "slate"}>{c.configured ? "configured" : "off"}</Badge>
            </div>
            <p className="mt-1 truncate text-xs text-slate-500">{c.target ?? `Set ${HOW[c.name]}`}</p>
            <button type="button" className={`${btn.secondary} mt-3`} disabled={!c.configured || test.isPending} onClick={() => test.mutate({ channel: c.name })} data-testid={`send-test-${c.name}`}>
              Send test
            </button>
            {test.variables?.channel === c.name && test.data && (
              <p role="status" className={`mt-2 text-xs ${test.data.ok ? "text-emerald-700" : "text-red-700"}`} data-testid="test-result">
                {test.data.ok ? `Sent${test.data.recipient ? ` to ${test.data.recipient}` : ""}.` : `Failed: ${test.data.error}`}
              </p>
            )}
            {test.variables?.channel === c.name && test.error && <p className="mt-2 text-xs text-red-700">{test.error.message}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
