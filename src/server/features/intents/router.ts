import { z } from "zod";
import { callOf } from "@/server/trpc/context";
import { approverProcedure, humanProcedure, router, scopedProcedure } from "@/server/trpc/procedures";
import { decideIntent, history, inbox, intentDetail, pendingCount } from "./approvals";
import { checkOutput, decideInput, detailSchema, historyInput, idInput, intentSchema, listInput, listOutput, proposeInput } from "./schema";
import { cancelIntent, checkIntent, getOwnIntent, listOwnIntents, proposeIntent } from "./service";

const propose = scopedProcedure("intents:propose");
const read = scopedProcedure("intents:read");
const tags = ["intents"];

/** Agents propose, check, poll and cancel (REST, MCP, dashboard); only signed-in approvers decide (dashboard). */
export const intentsRouter = router({
  propose: propose
    .meta({
      openapi: {
        method: "POST",
        path: "/intents",
        operationId: "proposeIntent",
        summary: "Propose an action (deploy, rollback, workflow, merge, issue, cache purge, restart, backup); the policy decides, humans approve. Send Idempotency-Key to retry safely.",
        tags,
      },
      resource: "intent",
      kind: "write",
      audit: "service",
      effect: { destructive: false },
    })
    .input(proposeInput)
    .output(intentSchema)
    .mutation(({ ctx, input }) => proposeIntent(ctx.deps, callOf(ctx), input, { idempotencyKey: ctx.idempotencyKey })),

  check: propose
    .meta({
      openapi: { method: "POST", path: "/intents/check", operationId: "checkIntent", summary: "Ask the policy what it would decide for an intent, with its trace; creates nothing", tags },
      resource: "intent",
      kind: "read",
      effect: { readOnly: true },
    })
    .input(proposeInput)
    .output(checkOutput)
    .mutation(({ ctx, input }) => checkIntent(ctx.deps, ctx.actor, input)),

  list: read
    .meta({
      openapi: { method: "GET", path: "/intents", operationId: "listIntents", summary: "Your own intents, newest first, with status, decision and result; cursor pagination", tags },
      resource: "intent",
    })
    .input(listInput)
    .output(listOutput)
    .query(({ ctx, input }) => listOwnIntents(ctx.deps, callOf(ctx), input)),

  get: read
    .meta({
      openapi: { method: "GET", path: "/intents/{id}", operationId: "getIntent", summary: "One of your intents: status, policy trace, approvals, execution result (poll this)", tags },
      resource: "intent",
    })
    .input(idInput)
    .output(intentSchema)
    .query(({ ctx, input }) => getOwnIntent(ctx.deps, callOf(ctx), input.id)),

  cancel: propose
    .meta({
      openapi: { method: "POST", path: "/intents/{id}/cancel", operationId: "cancelIntent", summary: "Withdraw one of your intents before it executes", tags },
      resource: "intent",
      audit: "service",
      effect: { destructive: true, idempotent: true },
    })
    .input(idInput)
    .output(intentSchema)
    .mutation(({ ctx, input }) => cancelIntent(ctx.deps, callOf(ctx), input.id)),

  pendingCount: humanProcedure("intents:read")
    .meta({ resource: "intent" })
    .input(z.strictObject({}))
    .output(z.object({ count: z.number().int() }))
    .query(async ({ ctx }) => ({ count: await pendingCount(ctx.deps) })),

  inbox: humanProcedure("intents:read")
    .meta({ resource: "intent" })
    .input(z.strictObject({}))
    .output(z.object({ items: z.array(intentSchema) }))
    .query(({ ctx }) => inbox(ctx.deps, callOf(ctx))),

  history: humanProcedure("intents:read")
    .meta({ resource: "intent" })
    .input(historyInput)
    .output(listOutput)
    .query(({ ctx, input }) => history(ctx.deps, input)),

  detail: humanProcedure("intents:read")
    .meta({ resource: "intent" })
    .input(idInput)
    .output(detailSchema)
    .query(({ ctx, input }) => intentDetail(ctx.deps, ctx.actor, input.id)),

  approve: approverProcedure
    .meta({ resource: "intent", audit: "service" })
    .input(decideInput)
    .output(detailSchema)
    .mutation(({ ctx, input }) => decideIntent(ctx.deps, callOf(ctx), { ...input, decision: "approve" })),

  deny: approverProcedure
    .meta({ resource: "intent", audit: "service" })
    .input(decideInput)
    .output(detailSchema)
    .mutation(({ ctx, input }) => decideIntent(ctx.deps, callOf(ctx), { ...input, decision: "deny" })),
});
