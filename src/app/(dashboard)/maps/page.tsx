import { PlaceholderPage } from "../../_components/placeholder-page";

export default function Page() {
  return <PlaceholderPage title="Connections" what="Health, latency and uptime of every connection." />;
}
