import Link from "next/link";
import { describeTarget, StatusPill, type IntentView } from "./status-pill";

function relative(iso: string): string {
  const mins = Math.round((new Date(iso).getTime() - Date.now()) / 60_000);
  if (Math.abs(mins) < 1) return "now";
  const fmt = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  return Math.abs(mins) < 90 ? fmt.format(mins, "minute") : Math.abs(mins) < 2160 ? fmt.format(Math.round(mins / 60), "hour") : fmt.format(Math.round(mins / 1440), "day");
}

/** One intent in a list: what, where, who asked, when; links to its page. */
export function IntentRow({ intent }: { intent: IntentView }) {
  return (
    <li>
      <Link href={`/approvals/${intent.id}`} className="block rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-slate-300" data-testid="intent-row" data-intent={intent.id}>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="min-w-0 break-words text-sm font-semibold text-slate-900">
            {intent.action.replace(/_/g, " ")} <span className="font-normal text-slate-600">{describeTarget(intent.target)}</span>
          </p>
          <StatusPill status={intent.status} />
        </div>
        <p className="mt-1 line-clamp-2 break-words text-sm text-slate-600">{intent.reason}</p>
        <p className="mt-2 text-xs text-slate-500">
          {intent.requester.type === "api_key" ? `client ${intent.requester.id}` : "a dashboard user"} · {relative(intent.createdAt)}
          {intent.status === "pending_approval" && intent.expiresAt ? ` · expires ${relative(intent.expiresAt)}` : ""} · {intent.approvals.received}/{intent.approvals.required} approvals
        </p>
      </Link>
    </li>
  );
}
