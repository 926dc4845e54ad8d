import { z } from "zod";
import { humanProcedure, router, scopedProcedure } from "@/server/trpc/procedures";
import { jobsListOutput, runNowInput, runNowOutput } from "./schema";
import { listJobs, runJobNow } from "./service";

export const jobsRouter = router({
  list: scopedProcedure("metrics:read")
    .meta({
      openapi: {
        method: "GET",
        path: "/jobs",
        operationId: "listJobs",
        summary: "Cron monitor: each scheduled job's schedule, last run, last success, next due time, failures in a row, and whether it is late",
        tags: ["jobs"],
      },
      resource: "job",
    })
    .input(z.strictObject({}))
    .output(jobsListOutput)
    .query(({ ctx }) => listJobs(ctx.deps)),

  // dashboard only (operators): a machine client cannot start jobs
  runNow: humanProcedure("jobs:run")
    .meta({ resource: "job" })
    .input(runNowInput)
    .output(runNowOutput)
    .mutation(({ ctx, input }) => runJobNow(ctx.deps, input.name)),
});
