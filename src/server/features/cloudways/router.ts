import { z } from "zod";
import { router, scopedProcedure } from "@/server/trpc/procedures";
import { monitoringInput, monitoringOutput, serverIdInput, serversOutput, servicesOutput } from "./schema";
import { listServers, serverMonitoring, serverServices } from "./service";

const hosting = scopedProcedure("hosting:read");

export const cloudwaysRouter = router({
  servers: hosting
    .meta({
      openapi: {
        method: "GET",
        path: "/cloudways/servers",
        operationId: "cloudwaysServers",
        summary: "Cloudways servers with their status and their apps (from the Cloudways API, at most 10 s old: asOf)",
        tags: ["cloudways"],
      },
      resource: "hosting",
    })
    .input(z.strictObject({}))
    .output(serversOutput)
    .query(({ ctx }) => listServers(ctx.deps)),

  services: hosting
    .meta({
      openapi: {
        method: "GET",
        path: "/cloudways/servers/{serverId}/services",
        operationId: "cloudwaysServices",
        summary: "State of each service on a Cloudways server (nginx, mysql, varnish, redis, …)",
        tags: ["cloudways"],
      },
      resource: "hosting",
    })
    .input(serverIdInput)
    .output(servicesOutput)
    .query(({ ctx, input }) => serverServices(ctx.deps, input.serverId)),

  monitoring: hosting
    .meta({
      openapi: {
        method: "GET",
        path: "/cloudways/servers/{serverId}/monitoring",
        operationId: "cloudwaysMonitoring",
        summary: "Monitoring summary of a Cloudways server: bandwidth (bw) or disk (db) per app",
        tags: ["cloudways"],
      },
      resource: "hosting",
    })
    .input(monitoringInput)
    .output(monitoringOutput)
    .query(({ ctx, input }) => serverMonitoring(ctx.deps, input.serverId, input.type)),
});
