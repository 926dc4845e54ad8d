import { z } from "zod";
import { authedProcedure, router } from "@/server/trpc/procedures";
import { statusOutput } from "./schema";
import { getStatus } from "./service";

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
    .query(({ ctx }) => getStatus(ctx.deps)),
});
