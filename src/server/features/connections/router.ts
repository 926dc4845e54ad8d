import { z } from "zod";
import { router, scopedProcedure } from "@/server/trpc/procedures";
import { readProgress } from "./progress";
import { connectionIdInput, historyOutput, listConnectionsInput, listConnectionsOutput, progressSchema, refreshInput, refreshOutput, stateChangesInput, stateChangesOutput } from "./schema";
import { refreshConnections, sharedConnectionHistory, sharedConnections, stateChanges, withoutDiskPaths } from "./service";

const read = scopedProcedure("metrics:read");

export const connectionsRouter = router({
  list: read
    .meta({
      openapi: {
        method: "GET",
        path: "/connections",
        operationId: "listConnections",
        summary: "Every connection (Postgres, Redis, GitHub, OpenAI, Pinecone, Cloudways, WordPress, Slack, SMTP): state, latency, last error, uptime 24h/7d/30d/90d",
        tags: ["connections"],
      },
      resource: "connection",
    })
    .input(listConnectionsInput)
    .output(listConnectionsOutput)
    .query(async ({ ctx, input }) => withoutDiskPaths(ctx.actor, await sharedConnections(ctx.deps, input))),

  history: read
    .meta({
      openapi: {
        method: "GET",
        path: "/connections/{id}/history",
        operationId: "connectionHistory",
        summary: "One connection's latency over the last 24 h (10-minute steps) and uptime per day over 90 days",
        tags: ["connections"],
      },
      resource: "connection",
    })
    .input(connectionIdInput)
    .output(historyOutput)
    .query(({ ctx, input }) => sharedConnectionHistory(ctx.deps, input.id)),

  progress: read
    .meta({
      openapi: {
        method: "GET",
        path: "/connections/progress",
        operationId: "probeProgress",
        summary: "Progress of the current probe run: how many connections are checked so far",
        tags: ["connections"],
      },
      resource: "connection",
    })
    .input(z.strictObject({}))
    .output(progressSchema)
    .query(({ ctx }) => readProgress(ctx.deps.kv)),

  changes: read
    .meta({
      openapi: {
        method: "GET",
        path: "/connections/changes",
        operationId: "connectionStateChanges",
        summary: "The latest up/down changes of connections, newest first (they are audit events)",
        tags: ["connections"],
      },
      resource: "connection",
    })
    .input(stateChangesInput)
    .output(stateChangesOutput)
    .query(({ ctx, input }) => stateChanges(ctx.deps, input.limit)),

  refresh: read
    .meta({
      openapi: {
        method: "POST",
        path: "/connections/refresh",
        operationId: "refreshConnections",
        summary: "Probe the connections now (all, or the ids given) and return the results; dashboard users need the operator role",
        tags: ["connections"],
      },
      resource: "connection",
      kind: "expensive",
      effect: { destructive: false, idempotent: true },
    })
    .input(refreshInput)
    .output(refreshOutput)
    .mutation(({ ctx, input }) => refreshConnections(ctx.deps, ctx.actor, input.ids)),
});
