import { can } from "@/server/core/auth/actor";
import { sessionActor } from "@/server/api/session";
import { PageTitle } from "../../_components/page-title";
import { PolicyEditor } from "./_components/policy-editor";

export const metadata = { title: "Policies" };

/** The intent policy, admins only: the navigation hides the page and the procedures answer 403 to others. */
export default async function PoliciesPage() {
  const actor = await sessionActor();
  const allowed = actor !== null && can(actor, "admin");
  return (
    <>
      <PageTitle title="Policies" description="Ordered rules decide every intent: the first rule that matches allows, denies or asks for approval. Each save is a new, audited version." />
      {allowed ? (
        <PolicyEditor />
      ) : (
        <div role="alert" className="rounded-xl border border-amber-200 bg-amber-50 p-5" data-testid="not-allowed">
          <h2 className="text-sm font-semibold text-amber-900">Not allowed</h2>
          <p className="mt-1 text-sm text-amber-800">Only admins change the policy.</p>
        </div>
      )}
    </>
  );
}
