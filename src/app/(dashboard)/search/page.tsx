import { PlaceholderPage } from "../../_components/placeholder-page";

export default function Page() {
  return <PlaceholderPage title="Search" what="Hybrid search over indexed repositories, audit events and context." />;
}
