import { z } from "zod";

/** The actions an intent may name; each has an executor and its own params schema (features/intents/actions.ts). */
export const INTENT_ACTIONS = ["deploy", "rollback", "run_workflow", "merge_pr", "create_issue", "purge_cache", "restart_service", "create_backup"] as const;
export type IntentAction = (typeof INTENT_ACTIONS)[number];

export const DECISIONS = ["allow", "deny", "require_approval"] as const;
export type Decision = (typeof DECISIONS)[number];

/** Only roles holding intents:approve may be named as approvers. */
export const APPROVER_ROLES = ["approver", "admin"] as const;
export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Day = (typeof DAYS)[number];

/** `*` any run of characters, `?` one; matched case-insensitively (engine.ts). */
const glob = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._/*?:@+=-]+$/, "a glob of letters, digits, . _ / : @ + = - with * and ?");
const globs = z.array(glob).min(1).max(50);
const scalar = z.union([z.string().max(500), z.number(), z.boolean()]);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour");

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeWindowSchema = z
  .strictObject({
    days: z.array(z.enum(DAYS)).min(1).max(7).optional(),
    from: hhmm.optional().describe("Start, inclusive"),
    to: hhmm.optional().describe("End, exclusive; before `from` means the window runs over midnight"),
    timeZone: z.string().max(64).refine(isTimeZone, "an IANA time zone, e.g. Europe/Berlin").default("UTC"),
  })
  .refine((w) => (w.from === undefined) === (w.to === undefined), "give both from and to, or neither")
  .refine((w) => w.days !== undefined || w.from !== undefined, "a time window needs days, hours or both");

export const ruleMatchSchema = z.strictObject({
  clients: globs.optional().describe("Client ids (API clients) or user:<email> (dashboard users)"),
  actions: z
    .array(z.enum(INTENT_ACTIONS))
    .min(1)
    .optional()
    .describe("A run_workflow of a workflow named like a deploy (deploy, release, publish, promote, ship, or a numeric id) also counts as deploy"),
  target: z
    .strictObject({
      repo: globs.optional(),
      branch: globs.optional().describe("Also matches branches named by workflow inputs (branch, ref, sha…) and the branches whose head a SHA ref is"),
      environment: globs.optional().describe("Also matches environments named by workflow inputs (env, stage…)"),
      server: globs.optional(),
      app: globs.optional(),
      workflow: globs.optional().describe("The workflow file (deploy.yml) or numeric id, for deploy, rollback and run_workflow"),
    })
    .optional(),
  params: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,7}$/, "a dotted path, e.g. inputs.debug"), z.union([scalar, z.array(scalar).min(1).max(50)]))
    .optional()
    .describe("Path → value (strings are globs) or a list of values, any of which matches"),
  time: timeWindowSchema.optional(),
});

export const approvalsSchema = z.strictObject({
  count: z.number().int().min(1).max(10),
  roles: z.array(z.enum(APPROVER_ROLES)).min(1),
  expiresInMinutes: z.number().int().min(1).max(10_080),
});
export type ApprovalRequirement = z.infer<typeof approvalsSchema>;

export const ruleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "1–63 characters of a–z, 0–9, . _ -"),
    description: z.string().max(500).optional(),
    match: ruleMatchSchema.default({}),
    decision: z.enum(DECISIONS),
    approvals: approvalsSchema.optional(),
  })
  .refine((r) => (r.decision === "require_approval") === (r.approvals !== undefined), {
    message: "approvals is required with require_approval and not allowed otherwise",
    path: ["approvals"],
  });
export type Rule = z.infer<typeof ruleSchema>;
export type RuleInput = z.input<typeof ruleSchema>;

export const rulesSchema = z
  .array(ruleSchema)
  .min(1)
  .max(200)
  .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, "rule ids must be unique");

export const traceEntrySchema = z.object({
  rule: z.string(),
  matched: z.boolean(),
  reasons: z.array(z.string()),
});
export type TraceEntry = z.infer<typeof traceEntrySchema>;

export const evaluationSchema = z.object({
  decision: z.enum(DECISIONS),
  rule: z.string().nullable().describe("The rule that decided; null when none matched (denied by default)"),
  description: z.string().nullable(),
  trace: z.array(traceEntrySchema),
  approvals: approvalsSchema.nullable(),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

export const policyVersionSchema = z.object({
  version: z.number().int(),
  rules: z.array(z.unknown()),
  comment: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const replacePolicyInput = z.strictObject({
  baseVersion: z.number().int().min(1).describe("The version this edit started from; a newer one in between → 409"),
  rules: z.unknown().describe("The new rule list (validated)"),
  comment: z.string().trim().min(1).max(500),
});

export const dryRunInput = z.strictObject({
  rules: z.unknown(),
  limit: z.number().int().min(1).max(1000).default(200),
});

export const dryRunOutput = z.object({
  considered: z.number().int(),
  changed: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      requester: z.string(),
      createdAt: z.string(),
      before: z.object({ decision: z.string(), rule: z.string().nullable() }),
      after: z.object({ decision: z.string(), rule: z.string().nullable() }),
    }),
  ),
});
