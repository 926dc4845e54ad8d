import type { Permission } from "@/server/core/auth/permissions";

/**
 * The dashboard's navigation, one list; `permission` hides an item from roles that lack it (the server
 * still guards).
 */
export interface NavItem {
  href: string;
  label: string;
  permission?: Permission;
  /** A live count beside the label (side-nav.tsx renders it). */
  badge?: "pendingApprovals";
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Status" },
  { href: "/context", label: "Context", permission: "context:read" },
  { href: "/audit", label: "Audit", permission: "audit:read" },
  { href: "/search", label: "Search", permission: "search:read" },
  { href: "/repos", label: "Repos", permission: "github:read" },
  { href: "/approvals", label: "Approvals", permission: "intents:read", badge: "pendingApprovals" },
  { href: "/maps", label: "Connections", permission: "metrics:read" },
  { href: "/suggestions", label: "Suggestions", permission: "suggestions:read" },
  { href: "/keys", label: "Keys", permission: "admin" },
  { href: "/policies", label: "Policies", permission: "admin" },
  { href: "/notifications", label: "Notifications", permission: "admin" },
];

export function isActive(href: string, pathname: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}
