import { querySql, type SqlReaders } from "@/server/adapters/db";
import type { ContextGrant } from "@/generated/prisma/client";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import type { ScopeAccess } from "./access";
import { SUMMARY_SNAPSHOTS } from "./service";

/** Admins share an owned context scope with another client; each grant and revocation is audited with it. */
const view = (g: ContextGrant) => ({ scope: g.scope, clientId: g.clientId, access: g.access as ScopeAccess, grantedBy: g.grantedBy, grantedAt: g.grantedAt.toISOString() });

/** Grants by scope and client, at most 1,000: one statement through the plain pg pool where there is one. */
export async function listGrants(deps: SqlReaders, q: { scope?: string; clientId?: string }) {
  const rows = await querySql<Omit<ContextGrant, "grantedAt"> & { grantedAt: Date | string }>(
    deps,
    `SELECT "scope", "client_id" AS "clientId", "access", "granted_by" AS "grantedBy", "granted_at" AS "grantedAt" FROM "context_grant"
      WHERE ($1::text IS NULL OR "scope" = $1) AND ($2::text IS NULL OR "client_id" = $2)
      ORDER BY "scope", "client_id" LIMIT 1000`,
    [q.scope ?? null, q.clientId ?? null],
  );
  return { items: rows.map((r) => view({ ...r, grantedAt: new Date(r.grantedAt) })) };
}

export async function grantScope(deps: Deps, call: CallContext, input: { scope: string; clientId: string; access: ScopeAccess }) {
  if (input.scope === `client:${input.clientId}`) throw new AppError("BAD_REQUEST", `Scope ${input.scope} is client ${input.clientId}'s own already.`);
  return deps.audit
    .transact(async (tx, log) => {
      if (!(await tx.apiClient.findUnique({ where: { id: input.clientId } }))) throw new AppError("NOT_FOUND", `No client ${input.clientId}.`);
      const key = { scope_clientId: { scope: input.scope, clientId: input.clientId } };
      const before = await tx.contextGrant.findUnique({ where: key });
      const grantedBy = `${call.actor.type}:${call.actor.id}`;
      const row = await tx.contextGrant.upsert({ where: key, update: { access: input.access, grantedBy, grantedAt: new Date() }, create: { ...input, grantedBy } });
      await log(eventFor(call, { action: "context.grant", resourceType: "context", target: input.scope, detail: { before: before ? view(before) : null, after: view(row) } }));
      return view(row);
    })
    .finally(() => deps.snapshots.invalidate(SUMMARY_SNAPSHOTS)); // the client now sees another scope in its summary
}

export async function revokeGrant(deps: Deps, call: CallContext, input: { scope: string; clientId: string }) {
  return deps.audit
    .transact(async (tx, log) => {
      const before = await tx.contextGrant.findUnique({ where: { scope_clientId: input } });
      if (before) await tx.contextGrant.delete({ where: { scope_clientId: input } });
      // audited either way: every answered call of an admin is in the log, a no-op included
      await log(
        eventFor(call, {
          action: "context.ungrant",
          resourceType: "context",
          target: input.scope,
          detail: { clientId: input.clientId, revoked: before !== null, before: before ? view(before) : null },
        }),
      );
      return { revoked: before !== null };
    })
    .finally(() => deps.snapshots.invalidate(SUMMARY_SNAPSHOTS)); // the client no longer sees the scope in its summary
}
