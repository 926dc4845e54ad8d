import { z } from "zod";
import { proposeInput } from "@/server/features/intents/schema";
import { SEVERITIES } from "./rules";

/** Contracts of /ai/suggestions/*: today's briefing and the findings behind it. */
export const FINDING_STATUSES = ["open", "dismissed", "done"] as const;

const evidenceSchema = z.object({
  label: z.string(),
  value: z.union([z.string(), z.number()]),
  unit: z.string().optional(),
  href: z.string().optional().describe("Where the number comes from: a dashboard path, an /ai/* path or a GitHub page"),
});

export const findingSchema = z.object({
  id: z.string(),
  key: z.string().describe("rule:subject — the same problem keeps its key across days"),
  rule: z.string(),
  subject: z.string(),
  fingerprint: z.string().describe("Changes only when the evidence changes materially (a dismissed finding then reopens)"),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  summary: z.string(),
  action: z.string().nullable().describe("What to do next: the model's sentence when it passed the grounded check, else the rule's"),
  actionSource: z.enum(["model", "rule"]),
  evidence: z.array(evidenceSchema),
  proposal: proposeInput.nullable().describe("A ready intent: send it with POST /ai/suggestions/{id}/propose (or POST /ai/intents)"),
  status: z.enum(FINDING_STATUSES),
  statusBy: z.string().nullable(),
  statusReason: z.string().nullable(),
  statusAt: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  ageDays: z.number().int().describe("Whole days since first seen"),
  resolvedAt: z.string().nullable(),
  intentId: z.string().nullable(),
});
export type FindingDto = z.infer<typeof findingSchema>;

export const briefingSchema = z.object({
  day: z.string().describe("UTC day, YYYY-MM-DD"),
  computedAt: z.string(),
  computations: z.number().int(),
  source: z.enum(["rules", "model"]),
  text: z.string(),
  model: z.string().nullable(),
  gaps: z.array(z.string()).describe("Signals that could not be read at the last computation"),
});
export type BriefingDto = z.infer<typeof briefingSchema>;

export const dailyOutput = z.object({
  computed: z.boolean().describe("True when this call computed the day's suggestions"),
  briefing: briefingSchema,
  counts: z.object({ critical: z.number().int(), warning: z.number().int(), info: z.number().int() }).describe("Open findings by severity"),
  findings: z.array(findingSchema).describe("Live findings: open ones by severity, then dismissed and done ones"),
  truncated: z.boolean().optional().describe("True when the least pressing findings were left out to keep the answer under 100,000 characters"),
});
export type DailyOutput = z.infer<typeof dailyOutput>;

export const dailyInput = z.strictObject({
  status: z.enum(["open", "all"]).default("all").describe("open: only findings nobody dismissed or marked done"),
});

const id = z.uuid().describe("Finding id");
export const idInput = z.strictObject({ id });
export const dismissInput = z.strictObject({ id, reason: z.string().trim().min(1, "say why").max(500) });
export const doneInput = z.strictObject({ id, note: z.string().trim().max(500).optional() });
