import { sessionActor } from "@/server/api/session";
import { canRefresh } from "@/server/features/connections/service";
import { ConnectionsView } from "./_components/connections-view";

export const metadata = { title: "Connections" };

/** Who may press Refresh is decided here from the session; the server enforces it again. */
export default async function ConnectionsPage() {
  const actor = await sessionActor();
  if (actor?.type !== "user") return null;
  return <ConnectionsView canRefresh={canRefresh(actor)} />;
}
