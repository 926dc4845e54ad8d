import { Suspense } from "react";
import { LoadingRows } from "../../_components/query-states";
import { SearchView } from "./_components/search-view";

export const metadata = { title: "Search" };

export default function SearchPage() {
  return (
    <Suspense fallback={<LoadingRows rows={6} label="Loading search…" />}>
      <SearchView />
    </Suspense>
  );
}
