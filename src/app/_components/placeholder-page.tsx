import { PageTitle } from "./page-title";

/** A page listed in the navigation whose feature has not landed yet. */
export function PlaceholderPage({ title, what }: { title: string; what: string }) {
  return (
    <>
      <PageTitle title={title} />
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
        <p className="text-sm font-medium text-slate-700">Not built yet</p>
        <p className="mx-auto mt-1 max-w-md text-sm text-slate-500">{what}</p>
      </div>
    </>
  );
}
