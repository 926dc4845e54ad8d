import { PlaceholderPage } from "../../_components/placeholder-page";

export default function Page() {
  return <PlaceholderPage title="Approvals" what="Intents proposed by agents, awaiting approval." />;
}
