import { z } from "zod";
import { approvalsSchema, DECISIONS, INTENT_ACTIONS, traceEntrySchema } from "@/server/features/policy/schema";
import { STATUSES } from "./state";

const id = z.uuid().describe("Intent id");

/** Every target field any action uses; each action's own strict schema is applied in the service (actions.ts). */
export const targetInput = z
  .strictObject({
    repo: z.string().max(200).optional().describe("GitHub owner/name (deploy, rollback, run_workflow, merge_pr, create_issue)"),
    ref: z.string().max(200).optional().describe("Branch, tag or SHA (deploy, rollback, run_workflow); the base branch for merge_pr"),
    environment: z.string().max(63).optional().describe("Environment, e.g. production (required for deploy and rollback)"),
    server: z.string().max(12).optional().describe("Cloudways server id (purge_cache, restart_service, create_backup)"),
    app: z.string().max(12).optional().describe("Cloudways application id (optional for purge_cache, create_backup)"),
  })
  .describe("What the action acts on");

export const proposeInput = z.strictObject({
  action: z.enum(INTENT_ACTIONS),
  target: targetInput,
  params: z
    .record(z.string().max(64), z.unknown())
    .default({})
    .describe(
      "Per action — deploy/run_workflow: {workflow, inputs?}; rollback: {workflow, version, inputs?}; merge_pr: {pullNumber, method?, expectedHeadSha?}; create_issue: {title, body?, labels?}; restart_service: {service}; purge_cache, create_backup: {}",
    ),
  reason: z.string().trim().min(1).max(2000).describe("Why, in a sentence or two, for the humans who approve"),
});
export type ProposeInput = z.infer<typeof proposeInput>;

const requestSchema = z.object({ method: z.string(), url: z.string(), body: z.unknown() });
export type RecordedRequest = z.infer<typeof requestSchema>;

export const resultSchema = z.object({
  ok: z.boolean(),
  dryRun: z.boolean().describe("True when no credentials were configured: nothing was sent, `requests` is what would have been"),
  executor: z.string(),
  summary: z.string(),
  requests: z.array(requestSchema),
  response: z.unknown().optional(),
  error: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});
export type ExecutionResult = z.infer<typeof resultSchema>;

export const intentSchema = z.object({
  id: z.string(),
  action: z.enum(INTENT_ACTIONS),
  target: z.record(z.string(), z.unknown()),
  params: z.record(z.string(), z.unknown()),
  reason: z.string(),
  status: z.enum(STATUSES),
  version: z.number().int(),
  requester: z.object({ type: z.enum(["api_key", "user"]), id: z.string() }),
  policy: z.object({
    version: z.number().int(),
    decision: z.enum(DECISIONS),
    rule: z.string().nullable(),
    trace: z.array(traceEntrySchema),
    approvals: approvalsSchema.nullable(),
  }),
  approvals: z.object({
    required: z.number().int(),
    received: z.number().int(),
    decisions: z.array(z.object({ decision: z.enum(["approve", "deny"]), comment: z.string(), at: z.string() })),
  }),
  payloadHash: z.string().describe("sha256 of the canonical payload; an approval binds to it"),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  result: resultSchema.nullable(),
});
export type IntentDto = z.infer<typeof intentSchema>;

export const checkOutput = z.object({
  decision: z.enum(DECISIONS),
  rule: z.string().nullable(),
  description: z.string().nullable(),
  trace: z.array(traceEntrySchema),
  approvals: approvalsSchema.nullable(),
  policyVersion: z.number().int(),
});

export const listInput = z.strictObject({
  status: z.enum(STATUSES).optional(),
  cursor: z.string().max(100).optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const listOutput = z.object({ items: z.array(intentSchema), nextCursor: z.string().nullable() });

export const idInput = z.strictObject({ id });
export const decideInput = z.strictObject({
  id,
  comment: z.string().trim().min(1, "a comment is required").max(2000),
  payloadHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe("The payload hash shown with the intent: the decision binds to it"),
});

export const historyInput = z.strictObject({
  status: z.enum(STATUSES).optional(),
  action: z.enum(INTENT_ACTIONS).optional(),
  clientId: z.string().max(63).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().max(100).optional(),
  /** Sent by the dashboard's infinite query; pages only go forward. */
  direction: z.enum(["forward", "backward"]).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

/** The dashboard's view adds who decided and whether the signed-in user may decide now. */
export const detailSchema = intentSchema.extend({
  decisions: z.array(z.object({ decision: z.enum(["approve", "deny"]), comment: z.string(), at: z.string(), userEmail: z.string() })),
  eligibility: z.object({ canApprove: z.boolean(), canDeny: z.boolean(), reason: z.string().nullable() }),
  audit: z.array(z.object({ seq: z.number().int(), at: z.string(), action: z.string(), actorType: z.string(), actorId: z.string(), outcome: z.string() })),
});
export type IntentDetail = z.infer<typeof detailSchema>;
