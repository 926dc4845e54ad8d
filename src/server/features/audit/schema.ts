import { z } from "zod";

export const auditEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string(),
  clientId: z.string().nullable(),
  action: z.string(),
  resourceType: z.string(),
  target: z.string().nullable(),
  outcome: z.string(),
  status: z.number().int(),
  latencyMs: z.number().nullable(),
  requestId: z.string(),
  surface: z.string(),
  ip: z.string().nullable(),
  input: z.unknown(),
  detail: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEventDto = z.infer<typeof auditEventSchema>;

export const auditListInput = z.strictObject({
  actorType: z.enum(["api_key", "user", "system", "github", "anonymous"]).optional(),
  actorId: z.string().max(200).optional(),
  clientId: z.string().max(200).optional(),
  action: z.string().max(200).optional().describe("Action prefix, e.g. keys. or audit.list"),
  outcome: z.enum(["success", "failure", "denied"]).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.coerce.number().int().positive().optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.infer<typeof auditListInput>;

export const auditListOutput = z.object({
  items: z.array(auditEventSchema),
  nextCursor: z.number().int().nullable().describe("Pass as cursor for the next (older) page; null at the end"),
});

export const auditVerifyOutput = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBadSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
  headHash: z.string().nullable(),
});
