import { PlaceholderPage } from "../../_components/placeholder-page";

export default function Page() {
  return <PlaceholderPage title="Suggestions" what="Daily suggestions." />;
}
