import { z } from "zod";

export const sitesOutput = z.object({
  sites: z.array(
    z.object({
      id: z.string().describe("Connection id: wordpress, or wordpress-<name>"),
      name: z.string(),
      url: z.string(),
      siteHealthChecked: z.boolean().describe("true when an application password is configured"),
      state: z.enum(["up", "down", "not_configured", "unchecked"]),
      latencyMs: z.number().nullable().describe("/wp-json/ response time at the latest probe"),
      checkedAt: z.string().nullable(),
      error: z.string().nullable(),
      warnings: z.array(z.string()),
    }),
  ),
  asOf: z.string().describe("When the probe states were read (reused for up to 2 s)"),
});

export const siteInput = z.strictObject({ id: z.string().min(1).max(80) });

export const healthOutput = z.object({
  id: z.string(),
  url: z.string(),
  responseMs: z.number(),
  name: z.string(),
  namespaces: z.array(z.string()),
  siteHealth: z
    .array(z.object({ test: z.string(), label: z.string(), status: z.enum(["good", "recommended", "critical", "error"]), badge: z.string().nullable(), error: z.string().optional() }))
    .nullable()
    .describe("null without an application password"),
  asOf: z.string().describe("When the check ran (reused for up to 10 s; POST /ai/connections/refresh forgets it)"),
});
