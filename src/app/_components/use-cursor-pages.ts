"use client";

import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";

/**
 * "Load more" over a cursor-paginated procedure. tRPC's infiniteQueryOptions adds a `direction`
 * field to the input, which our strict input schemas (the REST contract) refuse, so the cursor is
 * passed by hand (null for the first page). Key it under the procedure's pathKey() so invalidating
 * the procedure refreshes it.
 */
export function useCursorPages<TPage extends { nextCursor: C | null }, C>(queryKey: QueryKey, fetchPage: (cursor: C | null, signal: AbortSignal) => Promise<TPage>) {
  return useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) => fetchPage(pageParam as C | null, signal),
    initialPageParam: null as C | null,
    getNextPageParam: (last: TPage) => last.nextCursor,
  });
}
