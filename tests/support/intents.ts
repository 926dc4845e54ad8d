import { randomUUID } from "node:crypto";
import { appRouter } from "@/server/api/root";
import type { CallContext } from "@/server/core/audit/log";
import { systemActor, type Actor } from "@/server/core/auth/actor";
import type { Role } from "@/server/core/auth/permissions";
import { authenticateApiKey, authenticateUser } from "@/server/core/auth/resolve";
import { createUser } from "@/server/core/auth/users";
import type { Deps } from "@/server/deps";
import type { ProposeInput } from "@/server/features/intents/schema";
import { createContext } from "@/server/trpc/context";
import { makeKey } from "./deps";

/** Helpers for the intents tests: unique users and clients, callers per actor. */
const SYSTEM: CallContext = { actor: systemActor("test"), requestId: "test", surface: "system" };

export async function makeUser(deps: Deps, role: Role): Promise<Extract<Actor, { type: "user" }>> {
  const email = `${role}-${randomUUID().slice(0, 8)}@test.local`;
  const view = await createUser(deps.audit, { ...SYSTEM, requestId: randomUUID() }, { email, role, password: "password-1234" });
  return (await authenticateUser(deps.db, view.id)) as Extract<Actor, { type: "user" }>;
}

/**
 * An agent client with a key (intents:propose + intents:read). The key is owned by `keyOwnerEmail`, else
 * by a fresh operator (an owner nobody in a test approves as); `owner` (a user id) also owns the client.
 */
export async function makeAgent(deps: Deps, opts: { owner?: string; clientId?: string; keyOwnerEmail?: string } = {}) {
  const keyOwnerEmail = opts.keyOwnerEmail ?? (await makeUser(deps, "operator")).email;
  const made = await makeKey(deps, ["intents:propose", "intents:read"], { clientId: opts.clientId, ownerEmail: keyOwnerEmail });
  if (opts.owner) await deps.db.apiClient.update({ where: { id: made.clientId }, data: { ownerUserId: opts.owner } });
  const actor = await authenticateApiKey(deps.db, made.key, null);
  return { ...made, actor };
}

export function callAs(actor: Actor): CallContext {
  return { actor, requestId: randomUUID(), surface: actor.type === "user" ? "trpc" : "rest" };
}

export function caller(deps: Deps, actor: Actor, extra: { idempotencyKey?: string } = {}) {
  return appRouter.createCaller(createContext({ deps, requestId: randomUUID(), surface: actor.type === "user" ? "trpc" : "rest", ip: null, actor, ...extra }));
}

/** A production deploy: the seeded policy asks one approver or admin. */
export function prodDeploy(over: Partial<ProposeInput> = {}): ProposeInput {
  return {
    action: "deploy",
    target: { repo: "acme/web", ref: "release-1", environment: "production" },
    params: { workflow: "deploy.yml" },
    reason: `ship release ${randomUUID().slice(0, 6)}`,
    ...over,
  };
}

/** Resolves once the intent reaches one of these statuses (executions run in the background). */
export async function waitForStatus(deps: Deps, id: string, statuses: string[], timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await deps.db.intent.findUnique({ where: { id }, select: { status: true } });
    if (row && statuses.includes(row.status)) return row.status;
    if (Date.now() > deadline) throw new Error(`intent ${id} is ${row?.status}, not ${statuses.join("|")}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { cause?: { code?: string; message?: string }; code?: string; message?: string };
    return { code: e.cause?.code ?? e.code ?? "?", message: e.cause?.message ?? e.message ?? "" };
  }
  throw new Error("expected the call to fail");
}
