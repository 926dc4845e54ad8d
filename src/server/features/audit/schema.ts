import { z } from "zod";

export const auditEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string(),
  actorName: z.string().nullable().describe("The user's email for a user actor (actorId is the user's id); null otherwise"),
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
  actorId: z.string().max(200).optional().describe("An actor id; for a user, their id or their email"),
  clientId: z.string().max(200).optional(),
  target: z.string().max(200).optional().describe("Exact target, e.g. an intent id"),
  intentId: z.uuid().optional().describe("Everything about one intent: its proposal, decisions, approvals, execution, and every call naming it (polls, refused approvals)"),
  action: z.string().max(200).optional().describe("Action prefix, e.g. keys. or audit.list"),
  outcome: z.enum(["success", "failure", "denied"]).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  q: z.string().trim().max(200).optional().describe('Full-text search over action, target, actor, client, request id, input and detail: words match as prefixes, "quoted phrase", or, -exclude'),
  cursor: z.coerce.number().int().positive().optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.infer<typeof auditListInput>;

export const auditListOutput = z.object({
  items: z.array(auditEventSchema),
  nextCursor: z.number().int().nullable().describe("Pass as cursor for the next (older) page; null at the end"),
});

export const auditVerifyInput = z.strictObject({
  // a query string carries text: "false" must mean false (z.coerce.boolean would make it true)
  archive: z
    .union([z.boolean(), z.enum(["true", "false"])])
    .optional()
    .transform((v) => v === true || v === "true")
    .describe("Also read every archived segment back from the archive and check its rows against its signed manifest (slow)"),
});

export const auditVerifyOutput = z.object({
  ok: z.boolean(),
  checked: z.number().int().describe("Live rows re-hashed: those after the last sealed head (with archive=true, the sealed ones still in the database too)"),
  firstBadSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
  headHash: z.string().nullable(),
  liveFromSeq: z.number().int().describe("Where the live chain starts: rows before it were rotated out to the archive"),
  segments: z.number().int().describe("Sealed segments whose signed manifests were checked"),
  checkpointSeq: z.number().int().nullable().describe("The newest signed checkpoint the live chain was compared with"),
  archivedChecked: z.number().int().describe("Archived rows checked against their manifests (archive=true only)"),
});

export const auditRecentInput = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const auditRecentOutput = z.object({
  items: z.array(auditEventSchema),
});

export const userNamesInput = z.strictObject({ ids: z.array(z.string().max(64)).max(100) });
export const userNamesOutput = z.object({ users: z.array(z.object({ id: z.string(), email: z.string() })) });
