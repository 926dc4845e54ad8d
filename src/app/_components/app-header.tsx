import type { Role } from "@/server/core/auth/permissions";
import { BrandMark } from "./brand-mark";
import { humanize } from "./format";
import { SignOutButton } from "./sign-out-button";

export function AppHeader({ email, role }: { email: string; role: Role }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 py-3 sm:px-6">
        <BrandMark />
        <span className="hidden text-base font-semibold tracking-tight sm:inline">Ops Orchestrator</span>
        <div className="ml-auto flex min-w-0 items-center gap-3">
          <div className="min-w-0 text-right leading-tight">
            <p className="truncate text-sm font-medium text-slate-800" data-testid="user-email">
              {email}
            </p>
            <p className="text-xs text-slate-500" data-testid="user-role">
              {humanize(role)}
            </p>
          </div>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
