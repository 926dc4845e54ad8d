import { PlaceholderPage } from "../../_components/placeholder-page";

export default function Page() {
  return <PlaceholderPage title="Audit" what="The audit log with filters, search and chain verification." />;
}
