import { redirect } from "next/navigation";
import { sessionActor } from "@/server/api/session";
import { AppHeader } from "./_components/app-header";
import { StatusPanel } from "./_components/status-panel";

export default async function Home() {
  const actor = await sessionActor();
  if (actor?.type !== "user") redirect("/signin");

  return (
    <>
      <AppHeader email={actor.email} role={actor.role} />
      <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
        <div className="mb-6">
          <h1 className="text-xl font-semibold tracking-tight text-slate-900 sm:text-2xl">Status</h1>
          <p className="mt-1 text-sm text-slate-500">Version, uptime and the health of every connection. Refreshes every 10 seconds.</p>
        </div>
        <StatusPanel />
      </main>
    </>
  );
}
