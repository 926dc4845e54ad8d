import { PlaceholderPage } from "../../_components/placeholder-page";

export default function Page() {
  return <PlaceholderPage title="Keys" what="API key management for admins." />;
}
