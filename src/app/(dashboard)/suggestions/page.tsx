import { sessionActor } from "@/server/api/session";
import { PageTitle } from "../../_components/page-title";
import { SuggestionsView } from "./_components/suggestions-view";

export const metadata = { title: "Suggestions" };

export default async function SuggestionsPage() {
  const actor = await sessionActor();
  const canAct = actor?.type === "user" && actor.permissions.includes("suggestions:triage");
  return (
    <>
      <PageTitle title="Suggestions" description="What the orchestrator's own signals say to do next, computed once a day: probes, CI runs, audit errors, intents, indexes, keys and context." />
      <SuggestionsView canAct={canAct} />
    </>
  );
}
