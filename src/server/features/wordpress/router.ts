import { z } from "zod";
import { router, scopedProcedure } from "@/server/trpc/procedures";
import { healthOutput, siteInput, sitesOutput } from "./schema";
import { listSites, siteHealth } from "./service";

const hosting = scopedProcedure("hosting:read");

export const wordpressRouter = router({
  sites: hosting
    .meta({
      openapi: {
        method: "GET",
        path: "/wordpress/sites",
        operationId: "wordpressSites",
        summary: "The configured WordPress sites with their latest probe: state, /wp-json/ response time, warnings",
        tags: ["wordpress"],
      },
      resource: "hosting",
    })
    .input(z.strictObject({}))
    .output(sitesOutput)
    .query(({ ctx }) => listSites(ctx.deps)),

  health: hosting
    .meta({
      openapi: {
        method: "GET",
        path: "/wordpress/sites/{id}/health",
        operationId: "wordpressSiteHealth",
        summary: "Check one WordPress site: /wp-json/ discovery, response time and its Site Health tests (a check at most 10 s old, asOf)",
        tags: ["wordpress"],
      },
      resource: "hosting",
      kind: "expensive",
    })
    .input(siteInput)
    .output(healthOutput)
    .query(({ ctx, input }) => siteHealth(ctx.deps, input.id)),
});
