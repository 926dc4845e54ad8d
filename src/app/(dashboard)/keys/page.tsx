import { can } from "@/server/core/auth/actor";
import { sessionActor } from "@/server/api/session";
import { PageTitle } from "../../_components/page-title";
import { KeysManager } from "./_components/keys-manager";

export const metadata = { title: "Keys" };

/** API keys, admins only: the navigation hides the page and the procedures answer 403 to others. */
export default async function KeysPage() {
  const actor = await sessionActor();
  const allowed = actor !== null && can(actor, "admin");
  return (
    <>
      <PageTitle title="API keys" description="Keys let GPT, Cursor, CI and scripts call the API. Each is shown once, stored only as a hash." />
      {allowed ? (
        <KeysManager />
      ) : (
        <div role="alert" className="rounded-xl border border-amber-200 bg-amber-50 p-5" data-testid="not-allowed">
          <h2 className="text-sm font-semibold text-amber-900">Not allowed</h2>
          <p className="mt-1 text-sm text-amber-800">Only admins manage API keys. Ask an admin if a client needs a key.</p>
        </div>
      )}
    </>
  );
}
