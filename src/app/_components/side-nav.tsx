"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { Permission } from "@/server/core/auth/permissions";
import { PendingBadge } from "../(dashboard)/approvals/_components/pending-badge";
import { isActive, NAV_ITEMS } from "./nav-items";

/** Navigation: a sidebar on wide screens, a scrolling tab row on phones. */
export function SideNav({ permissions }: { permissions: readonly Permission[] }) {
  const pathname = usePathname();
  const items = NAV_ITEMS.filter((i) => !i.permission || permissions.includes(i.permission));
  return (
    <nav aria-label="Main" className="border-b border-slate-200 bg-white md:w-52 md:shrink-0 md:border-b-0 md:border-r md:bg-transparent">
      <ul className="flex gap-1 overflow-x-auto px-3 py-2 md:flex-col md:overflow-visible md:px-3 md:py-6">
        {items.map((item) => {
          const active = isActive(item.href, pathname);
          return (
            <li key={item.href} className="shrink-0">
              <Link
                href={item.href}
                aria-current={active ? "page" : undefined}
                className={`flex items-center justify-between gap-2 rounded-md px-3 py-2 text-sm font-medium ${
                  active ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                }`}
              >
                {item.label}
                {item.badge === "pendingApprovals" && <PendingBadge active={active} />}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
