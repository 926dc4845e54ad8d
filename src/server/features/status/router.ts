import { z } from "zod";
import { authedProcedure, router } from "@/server/trpc/procedures";
import { sharedActivity } from "./activity";
import { activityOutput, statusOutput, whoamiOutput } from "./schema";
import { describeActor, getStatus } from "./service";

export const statusRouter = router({
  get: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/status",
        operationId: "getStatus",
        summary: "Orchestrator status: version, uptime, each connection's state and latency, and embedded defaults in use",
        tags: ["status"],
      },
      resource: "status",
    })
    .input(z.strictObject({}))
    .output(statusOutput)
    .query(({ ctx }) => getStatus(ctx.deps, undefined, { diskPaths: ctx.actor.type !== "api_key" })),

  activity: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/status/activity",
        operationId: "getActivity",
        summary: "Request rate and error rate of the last hour, per minute, from the audit log",
        tags: ["status"],
      },
      resource: "status",
    })
    .input(z.strictObject({}))
    .output(activityOutput)
    .query(({ ctx }) => sharedActivity(ctx.deps)),

  whoami: authedProcedure
    .meta({
      openapi: { method: "GET", path: "/whoami", operationId: "whoami", summary: "Who the caller is: client, key prefix and scopes (check a key before using it)", tags: ["status"] },
      resource: "auth",
    })
    .input(z.strictObject({}))
    .output(whoamiOutput)
    .query(({ ctx }) => describeActor(ctx.actor)),
});
