import Link from "next/link";
import { PageTitle } from "../../_components/page-title";
import { Inbox } from "./_components/inbox";

export const metadata = { title: "Approvals" };

export default function ApprovalsPage() {
  return (
    <>
      <PageTitle
        title="Approvals"
        description="Actions agents proposed that the policy sends to a human. Open one to see who asked, what, why and the policy's reasoning."
        actions={
          <Link href="/approvals/history" className="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
            History
          </Link>
        }
      />
      <Inbox />
    </>
  );
}
