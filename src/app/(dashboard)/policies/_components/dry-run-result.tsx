import Link from "next/link";
import type { RouterOutputs } from "../../../_trpc/client";

type Result = RouterOutputs["policy"]["dryRun"];

/** "This change would have decided these N intents differently." */
export function DryRunResult({ result }: { result: Result }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-4" data-testid="dry-run">
      <h2 className="text-sm font-semibold text-slate-900">
        Valid. This change would have decided {result.changed.length} of the last {result.considered} intents differently.
      </h2>
      {result.changed.length > 0 && (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full min-w-[32rem] text-left text-xs">
            <thead className="text-slate-500">
              <tr>
                <th className="py-1 pr-2">Intent</th>
                <th className="py-1 pr-2">Requester</th>
                <th className="py-1 pr-2">Now</th>
                <th className="py-1">With this change</th>
              </tr>
            </thead>
            <tbody>
              {result.changed.map((c) => (
                <tr key={c.id} className="border-t border-slate-100">
                  <td className="py-1 pr-2">
                    <Link href={`/approvals/${c.id}`} className="underline">
                      {c.action.replace(/_/g, " ")}
                    </Link>
                  </td>
                  <td className="break-all py-1 pr-2">{c.requester}</td>
                  <td className="py-1 pr-2">
                    {c.before.decision} ({c.before.rule ?? "none"})
                  </td>
                  <td className="py-1">
                    {c.after.decision} ({c.after.rule ?? "none"})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
