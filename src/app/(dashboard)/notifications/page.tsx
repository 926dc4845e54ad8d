import { can } from "@/server/core/auth/actor";
import { sessionActor } from "@/server/api/session";
import { PageTitle } from "../../_components/page-title";
import { ChannelsCard } from "./_components/channels-card";
import { DeadLetters } from "./_components/dead-letters";
import { RoutesEditor } from "./_components/routes-editor";

export const metadata = { title: "Notifications" };

/** Channels, routing and dead letters, admins only: the navigation hides the page and the procedures answer 403 to others. */
export default async function NotificationsPage() {
  const actor = await sessionActor();
  const allowed = actor !== null && can(actor, "admin");
  return (
    <>
      <PageTitle
        title="Notifications"
        description="Who is told what, on which channel: Slack, email and a signed webhook. Each save of the routes is audited; failed deliveries end here as dead letters."
      />
      {allowed ? (
        <div className="space-y-8">
          <ChannelsCard />
          <RoutesEditor />
          <DeadLetters />
        </div>
      ) : (
        <div role="alert" className="rounded-xl border border-amber-200 bg-amber-50 p-5" data-testid="not-allowed">
          <h2 className="text-sm font-semibold text-amber-900">Not allowed</h2>
          <p className="mt-1 text-sm text-amber-800">Only admins manage notifications.</p>
        </div>
      )}
    </>
  );
}
