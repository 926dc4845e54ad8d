import { PageTitle } from "../_components/page-title";
import { StatusPanel } from "../_components/status-panel";

export default function StatusPage() {
  return (
    <>
      <PageTitle title="Status" description="Health, traffic and shared state at a glance. Refreshes every few seconds." />
      <StatusPanel />
    </>
  );
}
