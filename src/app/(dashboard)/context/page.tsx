import { Suspense } from "react";
import { can } from "@/server/core/auth/actor";
import { sessionActor } from "@/server/api/session";
import { LoadingRows } from "../../_components/query-states";
import { ContextView } from "./_components/context-view";

export const metadata = { title: "Context" };

/** Who may edit is decided here from the session (the layout has already required one); the server enforces it again. */
export default async function ContextPage() {
  const actor = await sessionActor();
  if (actor?.type !== "user") return null;
  return (
    <Suspense fallback={<LoadingRows rows={5} label="Loading entries…" />}>
      <ContextView canWrite={can(actor, "context:write")} me={{ id: actor.id, email: actor.email }} />
    </Suspense>
  );
}
