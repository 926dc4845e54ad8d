import type { Permission, RateLimits, Role, Scope } from "./permissions";

/** Who is calling. One function decides it (resolve.ts); builders narrow on it. */
export type Actor =
  | { type: "api_key"; id: string; clientId: string; keyId: string; keyPrefix: string; scopes: readonly Scope[]; rateLimits?: Partial<RateLimits> }
  | { type: "user"; id: string; email: string; role: Role; permissions: readonly Permission[] }
  | { type: "system"; id: string };

export type ActorType = Actor["type"] | "github" | "anonymous";

export function can(actor: Actor, permission: Permission): boolean {
  if (actor.type === "system") return true;
  if (actor.type === "user") return actor.permissions.includes(permission);
  return (actor.scopes as readonly string[]).includes(permission) || (actor.scopes.includes("admin") && permission !== "intents:approve");
}

export const systemActor = (id = "system"): Actor => ({ type: "system", id });
