import { router, scopedProcedure } from "@/server/trpc/procedures";
import { metricsInput, metricsOutput } from "./schema";
import { sharedMetrics } from "./service";

export const metricsRouter = router({
  get: scopedProcedure("metrics:read")
    .meta({
      openapi: {
        method: "GET",
        path: "/metrics",
        operationId: "getMetrics",
        summary: "Per procedure: calls, error rate, p50/p95/p99 latency over a window; per connection: uptime 24h/7d/30d/90d and hourly latency",
        tags: ["metrics"],
      },
      resource: "metrics",
    })
    .input(metricsInput)
    .output(metricsOutput)
    .query(({ ctx, input }) => sharedMetrics(ctx.deps, input.windowMinutes)),
});
