import { z } from "zod";

export const metricsInput = z.strictObject({
  windowMinutes: z.coerce.number().int().min(1).max(10_080).default(60).describe("The window for procedure statistics, in minutes (up to 7 days)"),
});

export const procedureStatsSchema = z.object({
  procedure: z.string(),
  count: z.number().int(),
  errors: z.number().int().describe("Calls that did not succeed (4xx and 5xx)"),
  serverErrors: z.number().int().describe("Calls that failed with a 5xx"),
  errorRate: z.number().describe("errors / count"),
  avgMs: z.number(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  maxMs: z.number(),
});
export type ProcedureStats = z.infer<typeof procedureStatsSchema>;

const pct = z.number().nullable();

export const metricsOutput = z.object({
  window: z.object({ minutes: z.number().int(), from: z.string(), to: z.string() }),
  procedures: z.array(procedureStatsSchema).describe("Per procedure, most called first; percentiles from 20 %-wide histogram buckets"),
  connections: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      state: z.string(),
      uptimePct: z.object({ h24: pct, d7: pct, d30: pct, d90: pct }).describe("null where there were no probes (not 100)"),
      latency: z.array(z.object({ t: z.string(), avgMs: z.number().nullable() })).describe("Hourly average latency over the last 24 h, oldest first"),
    }),
  ),
  asOf: z.string().describe("When these figures were computed: shared by callers for at most 2 seconds"),
});
export type Metrics = z.infer<typeof metricsOutput>;
