import { z } from "zod";
import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import { callOf } from "@/server/trpc/context";
import { adminProcedure, router, scopedProcedure } from "@/server/trpc/procedures";
import { ScopeGuard } from "./access";
import { grantScope, listGrants, revokeGrant } from "./grants";
import { sharedContextSummary, keyHistory } from "./history";
import {
  deleteOutput,
  entrySchema,
  getInput,
  grantInput,
  grantSchema,
  historyInput,
  historyOutput,
  listGrantsInput,
  listGrantsOutput,
  listInput,
  listOutput,
  putInput,
  putOutput,
  revokeGrantInput,
  revokeGrantOutput,
  summaryOutput,
  watchInput,
} from "./schema";
import { deleteEntry, getEntry, listEntries, missingEntry, putEntry, watchScope } from "./service";

const read = scopedProcedure("context:read");
const write = scopedProcedure("context:write");
const tags = ["context"];
const guard = (ctx: { deps: Deps; actor: Actor }) => new ScopeGuard(ctx.deps, ctx.actor);
const noScope = (scope: string) => `No context scope ${scope} for this caller (it is empty, or another client's).`;

/** The shared context: (scope, key) → JSON with a TTL, last-write-wins with conflict flags, live updates. */
export const contextRouter = router({
  get: read
    .meta({
      openapi: { method: "GET", path: "/context", operationId: "getContext", summary: "Read one shared-context entry (value, version, who wrote it, expiry); 404 when missing or expired", tags },
      resource: "context",
    })
    .input(getInput)
    .output(entrySchema)
    .query(async ({ ctx, input }) => {
      await guard(ctx).assertRead(input.scope, missingEntry(input));
      return getEntry(ctx.deps.kv, input);
    }),

  list: read
    .meta({
      openapi: { method: "GET", path: "/context/list", operationId: "listContext", summary: "List a scope's entries in key order, optionally by key prefix, with cursor pagination", tags },
      resource: "context",
    })
    .input(listInput)
    .output(listOutput)
    .query(async ({ ctx, input }) => {
      await guard(ctx).assertRead(input.scope, noScope(input.scope));
      return listEntries(ctx.deps.kv, input);
    }),

  put: write
    .meta({
      openapi: {
        method: "PUT",
        path: "/context",
        operationId: "putContext",
        summary: "Write an entry (default TTL 900 s). Last write wins; a stale expectedVersion is flagged as a conflict, or refused with 409 when ifMatch is true",
        tags,
      },
      resource: "context",
      audit: "service",
      effect: { destructive: true, idempotent: true },
    })
    .input(putInput)
    .output(putOutput)
    .mutation(async ({ ctx, input }) => {
      await guard(ctx).assertWrite(input.scope);
      return putEntry(ctx.deps, callOf(ctx), input);
    }),

  delete: write
    .meta({
      openapi: { method: "DELETE", path: "/context", operationId: "deleteContext", summary: "Delete a shared-context entry; deleted is false when there was none", tags },
      resource: "context",
      audit: "service",
      effect: { destructive: true, idempotent: true },
    })
    .input(getInput)
    .output(deleteOutput)
    .mutation(async ({ ctx, input }) => {
      await guard(ctx).assertWrite(input.scope);
      return deleteEntry(ctx.deps, callOf(ctx), input);
    }),

  history: read
    .meta({
      openapi: {
        method: "GET",
        path: "/context/history",
        operationId: "getContextHistory",
        summary: "The last writes of a key, newest first: who, when, version, value preview, conflicts, put or delete",
        tags,
      },
      resource: "context",
    })
    .input(historyInput)
    .output(historyOutput)
    .query(async ({ ctx, input }) => {
      await guard(ctx).assertRead(input.scope, missingEntry(input));
      return keyHistory(ctx.deps, input);
    }),

  summary: read
    .meta({
      openapi: { method: "GET", path: "/context/summary", operationId: "getContextSummary", summary: "Entry counts per scope and the last five writes across the scopes you can read", tags },
      resource: "context",
    })
    .input(z.strictObject({}))
    .output(summaryOutput)
    .query(({ ctx }) => sharedContextSummary(ctx.deps, guard(ctx))),

  /** Dashboard only (tRPC over SSE): a scope's puts and deletes as they happen, on any instance. */
  watch: read
    .meta({ resource: "context", kind: "read" })
    .input(watchInput)
    .subscription(async ({ ctx, input, signal }) => {
      const visible = await guard(ctx).assertWatch(input.scope, noScope(input.scope));
      return watchScope(ctx.deps, input.scope, signal, visible);
    }),

  grants: adminProcedure
    .meta({
      openapi: { method: "GET", path: "/context/grants", operationId: "listContextGrants", summary: "Client and session scopes shared with other clients (admin)", tags },
      resource: "context",
    })
    .input(listGrantsInput)
    .output(listGrantsOutput)
    .query(({ ctx, input }) => listGrants(ctx.deps, input)),

  grant: adminProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/context/grants",
        operationId: "grantContextScope",
        summary: "Share a client:<id> or session:<id> scope with another client, read or write (admin; audited)",
        tags,
      },
      effect: { destructive: true, idempotent: true },
      resource: "context",
      audit: "service",
    })
    .input(grantInput)
    .output(grantSchema)
    .mutation(({ ctx, input }) => grantScope(ctx.deps, callOf(ctx), input)),

  revokeGrant: adminProcedure
    .meta({
      openapi: { method: "DELETE", path: "/context/grants", operationId: "revokeContextGrant", summary: "Stop sharing a scope with a client (admin; audited)", tags },
      effect: { destructive: true, idempotent: true },
      resource: "context",
      audit: "service",
    })
    .input(revokeGrantInput)
    .output(revokeGrantOutput)
    .mutation(({ ctx, input }) => revokeGrant(ctx.deps, callOf(ctx), input)),
});
