import Link from "next/link";
import { PageTitle } from "../../../_components/page-title";
import { IntentDetail } from "../_components/intent-detail";

export const metadata = { title: "Intent" };

export default async function IntentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageTitle
        title="Intent"
        actions={
          <Link href="/approvals" className="text-sm font-medium text-slate-600 hover:text-slate-900">
            ← Approvals
          </Link>
        }
      />
      <IntentDetail id={id} />
    </>
  );
}
