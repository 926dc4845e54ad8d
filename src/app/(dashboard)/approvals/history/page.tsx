import Link from "next/link";
import { PageTitle } from "../../../_components/page-title";
import { History } from "../_components/history";

export const metadata = { title: "Intent history" };

export default function HistoryPage() {
  return (
    <>
      <PageTitle
        title="Intent history"
        description="Every intent, newest first: proposed, decided, executed, expired or cancelled."
        actions={
          <Link href="/approvals" className="text-sm font-medium text-slate-600 hover:text-slate-900">
            ← Pending
          </Link>
        }
      />
      <History />
    </>
  );
}
