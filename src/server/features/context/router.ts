import { z } from "zod";
import { callOf } from "@/server/trpc/context";
import { router, scopedProcedure } from "@/server/trpc/procedures";
import { contextSummary, keyHistory } from "./history";
import { deleteOutput, entrySchema, getInput, historyInput, historyOutput, listInput, listOutput, putInput, putOutput, summaryOutput, watchInput } from "./schema";
import { deleteEntry, getEntry, listEntries, putEntry, watchScope } from "./service";

const read = scopedProcedure("context:read");
const write = scopedProcedure("context:write");
const tags = ["context"];

/** The shared context: (scope, key) → JSON with a TTL, last-write-wins with conflict flags, live updates. */
export const contextRouter = router({
  get: read
    .meta({
      openapi: { method: "GET", path: "/context", operationId: "getContext", summary: "Read one shared-context entry (value, version, who wrote it, expiry); 404 when missing or expired", tags },
      resource: "context",
    })
    .input(getInput)
    .output(entrySchema)
    .query(({ ctx, input }) => getEntry(ctx.deps.kv, input)),

  list: read
    .meta({
      openapi: { method: "GET", path: "/context/list", operationId: "listContext", summary: "List a scope's entries in key order, optionally by key prefix, with cursor pagination", tags },
      resource: "context",
    })
    .input(listInput)
    .output(listOutput)
    .query(({ ctx, input }) => listEntries(ctx.deps.kv, input)),

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
    .mutation(({ ctx, input }) => putEntry(ctx.deps, callOf(ctx), input)),

  delete: write
    .meta({
      openapi: { method: "DELETE", path: "/context", operationId: "deleteContext", summary: "Delete a shared-context entry; deleted is false when there was none", tags },
      resource: "context",
      audit: "service",
      effect: { destructive: true, idempotent: true },
    })
    .input(getInput)
    .output(deleteOutput)
    .mutation(({ ctx, input }) => deleteEntry(ctx.deps, callOf(ctx), input)),

  history: read
    .meta({
      openapi: { method: "GET", path: "/context/history", operationId: "getContextHistory", summary: "The last writes of a key, newest first: who, when, version, value preview, conflicts, put or delete", tags },
      resource: "context",
    })
    .input(historyInput)
    .output(historyOutput)
    .query(({ ctx, input }) => keyHistory(ctx.deps.db, input)),

  summary: read
    .meta({
      openapi: { method: "GET", path: "/context/summary", operationId: "getContextSummary", summary: "Entry counts per scope and the last five writes across scopes", tags },
      resource: "context",
    })
    .input(z.strictObject({}))
    .output(summaryOutput)
    .query(({ ctx }) => contextSummary(ctx.deps)),

  /** Dashboard only (tRPC over SSE): a scope's puts and deletes as they happen, on any instance. */
  watch: read
    .meta({ resource: "context", kind: "read" })
    .input(watchInput)
    .subscription(({ ctx, input, signal }) => watchScope(ctx.deps, input.scope, signal)),
});
