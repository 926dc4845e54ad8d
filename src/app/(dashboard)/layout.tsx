import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { sessionActor } from "@/server/api/session";
import { AppHeader } from "../_components/app-header";
import { SideNav } from "../_components/side-nav";

/** Every dashboard page: signed-in users only (others go to sign-in), header and navigation. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await sessionActor();
  if (actor?.type !== "user") redirect("/signin");
  return (
    <>
      <AppHeader email={actor.email} role={actor.role} />
      <div className="mx-auto flex max-w-7xl flex-col md:flex-row">
        <SideNav permissions={actor.permissions} />
        <main className="min-w-0 flex-1 px-4 py-6 sm:px-6 sm:py-8">{children}</main>
      </div>
    </>
  );
}
