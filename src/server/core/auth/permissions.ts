/**
 * The one permission table: machine scopes, human roles and what each role may do.
 * The server guards and the dashboard (to hide a button) both read it.
 */
export const SCOPES = [
  "context:read",
  "context:write",
  "audit:read",
  "github:read",
  "search:read",
  "intents:propose",
  "intents:read",
  "cursor:write",
  "metrics:read",
  "suggestions:read",
  "hosting:read",
  "admin",
] as const;
export type Scope = (typeof SCOPES)[number];

/** Human-only permissions: no API key can ever carry them, whatever its scopes. */
export const HUMAN_PERMISSIONS = ["intents:approve", "jobs:run", "connections:refresh", "repos:reindex", "suggestions:triage"] as const;
export type Permission = Scope | (typeof HUMAN_PERMISSIONS)[number];

export const ROLES = ["viewer", "operator", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];

const VIEWER: Permission[] = ["context:read", "audit:read", "github:read", "search:read", "intents:read", "metrics:read", "suggestions:read", "hosting:read"];
const OPERATOR: Permission[] = [...VIEWER, "context:write", "intents:propose", "cursor:write", "jobs:run", "connections:refresh", "repos:reindex", "suggestions:triage"];
const APPROVER: Permission[] = [...OPERATOR, "intents:approve"];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: VIEWER,
  operator: OPERATOR,
  approver: APPROVER,
  admin: [...APPROVER, "admin"],
};

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Kinds of operation, each with its own rate limit per key. */
export const OPERATION_KINDS = ["read", "write", "expensive"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];
export type RateLimits = Record<OperationKind, number>;
export const DEFAULT_RATE_LIMITS: RateLimits = { read: 600, write: 60, expensive: 30 };

/** Parses "read=600,write=60,expensive=30" (any subset) into limits per minute. */
export function parseRateLimits(spec: string): Partial<RateLimits> {
  const out: Partial<RateLimits> = {};
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [kind, value] = part.split("=");
    const n = Number(value);
    if (!(OPERATION_KINDS as readonly string[]).includes(kind ?? "") || !Number.isInteger(n) || n < 1) {
      throw new Error(`Invalid rate limit "${part}": expected kind=N with kind one of ${OPERATION_KINDS.join(", ")} and N ≥ 1`);
    }
    out[kind as OperationKind] = n;
  }
  return out;
}
