import { z } from "zod";

/** A connection's state: "unchecked" is configured but not probed (yet, or never: Slack). */
export const connectionState = z.enum(["up", "down", "not_configured", "unchecked"]);
export type ConnectionStateValue = z.infer<typeof connectionState>;

export const LAYERS = ["data", "code", "ai", "hosting", "notify"] as const;
export const layerSchema = z.enum(LAYERS);
export type Layer = z.infer<typeof layerSchema>;

const uptime = z.object({
  pct: z.number().nullable().describe("Uptime in percent; null when there were no probes in the window (not 100)"),
  probes: z.number().int(),
  down: z.number().int(),
  coverage: z.number().describe("Share of the window (hours or days) that had any probe, 0..1"),
});

export const uptimeWindowsSchema = z.object({ h24: uptime, d7: uptime, d30: uptime, d90: uptime });

export const connectionSummary = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.string().describe("Implementation, e.g. postgres, pglite, redis, memory, octokit, wp-rest"),
  layer: layerSchema,
  state: connectionState,
  configured: z.boolean(),
  config: z.record(z.string(), z.string()).describe("What it is configured with (never secrets)"),
  since: z.string().nullable().describe("When it entered its current state"),
  checkedAt: z.string().nullable(),
  latencyMs: z.number().nullable().describe("Latency of the latest probe"),
  error: z.string().nullable().describe("Why the latest probe failed"),
  warnings: z.array(z.string()),
  details: z.record(z.string(), z.unknown()).nullable(),
  lastUpAt: z.string().nullable(),
  lastDownAt: z.string().nullable(),
  uptime: uptimeWindowsSchema,
});
export type ConnectionSummary = z.infer<typeof connectionSummary>;

export const progressSchema = z.object({
  running: z.boolean(),
  runId: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  total: z.number().int(),
  done: z.array(z.string()).describe("Connections probed so far in this run"),
});
export type ProbeProgress = z.infer<typeof progressSchema>;

export const listConnectionsInput = z.strictObject({
  layer: layerSchema.optional(),
  state: connectionState.optional(),
});

export const listConnectionsOutput = z.object({
  status: z.enum(["ok", "degraded"]).describe("degraded when any connection is down"),
  lastRunAt: z.string().nullable(),
  progress: progressSchema,
  asOf: z.string().describe("When the states and uptime were read (shared for up to 2 s, 0.5 s during a probe run; the progress is live)"),
  connections: z.array(connectionSummary),
});

export const connectionIdInput = z.strictObject({ id: z.string().min(1).max(80) });

export const historyOutput = z.object({
  id: z.string(),
  asOf: z.string().describe("When the rollups were read (shared for up to 2 s; a probe run forgets it)"),
  latency: z
    .array(z.object({ t: z.string(), avgMs: z.number().nullable(), maxMs: z.number().nullable(), down: z.number().int() }))
    .describe("Last 24 h in 10-minute steps, oldest first; null where no probe was up"),
  days: z.array(z.object({ day: z.string(), pct: z.number().nullable(), probes: z.number().int(), down: z.number().int() })).describe("Last 90 UTC days, oldest first"),
});
export type ConnectionHistory = z.infer<typeof historyOutput>;

export const probeResultSchema = z.object({
  id: z.string(),
  state: connectionState,
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
});

export const refreshInput = z.strictObject({ ids: z.array(z.string().min(1).max(80)).max(200).optional().describe("Only these connections; all when omitted") });

export const refreshOutput = z.object({
  ran: z.boolean().describe("false when another run was in progress; results are then the latest known"),
  runId: z.string().nullable(),
  durationMs: z.number(),
  results: z.array(probeResultSchema),
});
export type RefreshResult = z.infer<typeof refreshOutput>;

export const stateChangesInput = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });

export const stateChangesOutput = z.object({
  items: z.array(
    z.object({
      seq: z.number().int(),
      at: z.string(),
      connection: z.string(),
      to: z.enum(["up", "down"]),
      from: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
});
