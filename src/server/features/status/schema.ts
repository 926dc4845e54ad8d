import { z } from "zod";

export const connectionState = z.enum(["up", "down", "not_configured", "unchecked"]);

export const connectionSchema = z.object({
  name: z.string(),
  kind: z.string().describe("Which implementation is in use, e.g. postgres, pglite, redis, upstash, memory"),
  state: connectionState,
  latencyMs: z.number().nullable(),
  detail: z.string().nullable(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const statusOutput = z.object({
  name: z.string(),
  version: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  status: z.enum(["ok", "degraded"]),
  connections: z.array(connectionSchema),
  asOf: z.string().describe("When the connections were checked: one check is shared by callers for at most 2 s, and a probe run makes the next read check again"),
  embeddedDefaults: z.array(z.string()).describe("Embedded stand-ins in use because the real service is not configured"),
  executors: z
    .array(z.object({ name: z.string(), mode: z.enum(["live", "dry-run"]), reason: z.string().nullable() }))
    .describe("Whether approved intents really reach each system (live) or are only recorded (dry-run), and why"),
  jobs: z.object({
    total: z.number().int(),
    late: z
      .array(z.object({ name: z.string(), lastSuccessAt: z.string().nullable(), schedule: z.string().nullable() }))
      .describe("Scheduled jobs with no success within twice their interval (details: /ai/jobs)"),
    asOf: z.string().describe("When the job runs were read (shared for up to 2 s)"),
  }),
});
export type Status = z.infer<typeof statusOutput>;

export const whoamiOutput = z.object({
  actorType: z.enum(["api_key", "user", "system"]),
  id: z.string(),
  clientId: z.string().nullable(),
  keyPrefix: z.string().nullable(),
  permissions: z.array(z.string()).describe("Scopes of the key, or the permissions of the user's role"),
});

export const activityOutput = z.object({
  windowMinutes: z.number().int(),
  since: z.string(),
  requests: z.number().int().describe("Audited requests (REST, MCP, webhooks, dashboard changes) in the window"),
  errors: z.number().int().describe("Requests whose outcome was not success (failures and denials)"),
  denied: z.number().int(),
  requestsPerMinute: z.number(),
  errorRate: z.number().describe("errors / requests, 0 when there were none"),
  perMinute: z.array(z.object({ minute: z.string(), requests: z.number().int(), errors: z.number().int() })).describe("One bucket per minute, oldest first"),
  asOf: z.string().describe("When these figures were computed: shared by callers for at most 2 seconds"),
});
export type Activity = z.infer<typeof activityOutput>;
