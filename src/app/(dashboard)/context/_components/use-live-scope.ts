"use client";

import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";
import type { Entry } from "./entry-list";
import { applyLiveEvent } from "./live-patch";

const FLASH_MS = 2_500;

/**
 * Keeps a scope's listing live: each put or delete from `context.watch` (SSE) is applied to the cached
 * pages in place; on (re)connecting the listing is read again so nothing between the two is missed.
 */
export function useLiveScope(scope: string, listKey: QueryKey, prefix: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [flashed, setFlashed] = useState<ReadonlySet<string>>(new Set());

  const flash = (key: string) => {
    setFlashed((s) => new Set(s).add(key));
    setTimeout(() => setFlashed((s) => new Set([...s].filter((k) => k !== key))), FLASH_MS);
  };

  const sub = useSubscription(
    trpc.context.watch.subscriptionOptions(
      { scope },
      {
        onStarted: () => void queryClient.invalidateQueries({ queryKey: listKey }),
        onData: (event) => {
          type Data = { pages: { items: Entry[]; nextCursor: string | null }[]; pageParams: unknown[] };
          const current = queryClient.getQueryData<Data>(listKey);
          const next = applyLiveEvent(current, event, prefix);
          if (next === null) void queryClient.invalidateQueries({ queryKey: listKey });
          else if (next !== current) queryClient.setQueryData(listKey, next);
          void queryClient.invalidateQueries({ queryKey: trpc.context.history.queryKey({ scope, key: event.key }) });
          void queryClient.invalidateQueries({ queryKey: trpc.context.summary.pathKey() });
          if (event.type === "put") flash(event.key);
        },
      },
    ),
  );
  return { status: sub.status, error: sub.error, flashed };
}
