"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../_trpc/client";
import { IntentRow } from "./intent-row";
import { Empty, Failure, Loading } from "./states";

/** Pending intents, oldest first (the one closest to expiring on top). */
export function Inbox() {
  const trpc = useTRPC();
  const q = useQuery(trpc.intents.inbox.queryOptions({}, { refetchInterval: 15_000 }));
  if (q.isPending) return <Loading label="Loading pending intents" />;
  if (q.isError) return <Failure message={q.error.message} onRetry={() => void q.refetch()} />;
  if (q.data.items.length === 0) return <Empty title="Nothing waits for a decision">Intents that agents propose and the policy sends for approval appear here.</Empty>;
  return (
    <ul className="space-y-3" data-testid="inbox">
      {q.data.items.map((i) => (
        <IntentRow key={i.id} intent={i} />
      ))}
    </ul>
  );
}
