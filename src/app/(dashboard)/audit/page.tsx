import { Suspense } from "react";
import { LoadingRows } from "../../_components/query-states";
import { AuditView } from "./_components/audit-view";

export const metadata = { title: "Audit" };

export default function AuditPage() {
  return (
    <Suspense fallback={<LoadingRows rows={8} label="Loading audit events…" />}>
      <AuditView />
    </Suspense>
  );
}
