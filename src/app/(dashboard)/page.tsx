import { PageTitle } from "../_components/page-title";
import { StatusPanel } from "../_components/status-panel";

export default function StatusPage() {
  return (
    <>
      <PageTitle title="Status" description="Version, uptime and the health of every connection. Refreshes every 10 seconds." />
      <StatusPanel />
    </>
  );
}
