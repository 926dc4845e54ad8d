import { PlaceholderPage } from "../../_components/placeholder-page";

export default function Page() {
  return <PlaceholderPage title="Context" what="Shared context entries (global, repo, session and client scopes) with live updates." />;
}
