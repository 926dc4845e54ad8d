import { z } from "zod";

const iso = z.string().describe("ISO 8601, UTC");

export const jobRunSchema = z.object({
  id: z.string(),
  status: z.enum(["running", "succeeded", "failed"]),
  trigger: z.string().describe("schedule, cron, manual, retry or startup"),
  attempt: z.number().int(),
  instanceId: z.string().describe("host:pid:random of the process that ran it"),
  startedAt: iso,
  finishedAt: iso.nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
});

export const jobStatusSchema = z.object({
  name: z.string(),
  description: z.string(),
  schedule: z.string().nullable().describe("Cron expression in UTC; null for a job that only runs when queued"),
  enabled: z.boolean().describe("False when this deployment switched its schedule off"),
  runsInCron: z.boolean().describe("Short enough to run inside a serverless cron call; otherwise a worker runs it"),
  timeoutSeconds: z.number().int(),
  intervalSeconds: z.number().int().nullable(),
  nextDueAt: iso.nullable(),
  lastRun: jobRunSchema.nullable(),
  lastSuccessAt: iso.nullable(),
  failuresInRow: z.number().int(),
  running: z.number().int(),
  late: z.boolean().describe("Scheduled, yet no success within twice its interval"),
});
export type JobStatusDto = z.infer<typeof jobStatusSchema>;

export const jobsListOutput = z.object({
  jobs: z.array(jobStatusSchema),
  late: z.array(z.string()),
  asOf: z.string().describe("When the runs were read (shared for up to 2 s; a run started, finished or queued by this instance forgets it)"),
});

export const runNowInput = z.strictObject({ name: z.string().min(1).max(40) });
export const runNowOutput = z.object({
  job: z.string(),
  mode: z.enum(["ran", "queued", "already"]).describe("ran here, queued for a worker, or already queued"),
  queueJobId: z.string(),
  runId: z.string().nullable(),
  outcome: z.enum(["succeeded", "failed"]).nullable(),
  error: z.string().nullable(),
});
