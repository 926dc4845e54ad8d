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
  embeddedDefaults: z.array(z.string()).describe("Embedded stand-ins in use because the real service is not configured"),
});
export type Status = z.infer<typeof statusOutput>;

export const whoamiOutput = z.object({
  actorType: z.enum(["api_key", "user", "system"]),
  id: z.string(),
  clientId: z.string().nullable(),
  keyPrefix: z.string().nullable(),
  permissions: z.array(z.string()).describe("Scopes of the key, or the permissions of the user's role"),
});
