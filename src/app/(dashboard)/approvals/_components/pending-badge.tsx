"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../_trpc/client";

/** The count of intents waiting for a decision, beside the Approvals navigation item. */
export function PendingBadge({ active }: { active: boolean }) {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.intents.pendingCount.queryOptions({}, { refetchInterval: 15_000 }));
  if (!data?.count) return null;
  return (
    <span
      className={`min-w-5 rounded-full px-1.5 text-center text-xs font-semibold ${active ? "bg-white text-slate-900" : "bg-amber-500 text-white"}`}
      data-testid="pending-badge"
      aria-label={`${data.count} pending`}
    >
      {data.count}
    </span>
  );
}
