import type { Permission } from "@/server/core/auth/permissions";

/**
 * The dashboard's navigation, one list. A page that is not built yet stays listed as a placeholder
 * (its issue fills it); `permission` hides an item from roles that lack it (the server still guards).
 */
export interface NavItem {
  href: string;
  label: string;
  permission?: Permission;
  placeholder?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Status" },
  { href: "/context", label: "Context", permission: "context:read", placeholder: true },
  { href: "/audit", label: "Audit", permission: "audit:read", placeholder: true },
  { href: "/search", label: "Search", permission: "search:read", placeholder: true },
  { href: "/approvals", label: "Approvals", permission: "intents:read", placeholder: true },
  { href: "/maps", label: "Connections", permission: "metrics:read", placeholder: true },
  { href: "/suggestions", label: "Suggestions", permission: "suggestions:read", placeholder: true },
  { href: "/keys", label: "Keys", permission: "admin", placeholder: true },
];

export function isActive(href: string, pathname: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}
