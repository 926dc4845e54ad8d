import { z } from "zod";
import { CHANNELS, SEVERITIES } from "@/server/adapters/notify";
import { ROLES } from "@/server/core/auth/permissions";
import { EVENT_TYPES } from "./events";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM (UTC)");
const recipient = z
  .string()
  .trim()
  .max(254)
  .refine((s) => s === "approvers" || (s.startsWith("role:") && (ROLES as readonly string[]).includes(s.slice(5))) || z.email().safeParse(s).success, {
    message: `expected "approvers", "role:<${ROLES.join("|")}>" or an email address`,
  });

export const routeInput = z
  .strictObject({
    eventType: z.enum(["*", ...EVENT_TYPES]),
    channel: z.enum(CHANNELS),
    recipients: z.array(recipient).max(20).default([]),
    minSeverity: z.enum(SEVERITIES).default("info"),
    quietStart: hhmm.nullable().default(null),
    quietEnd: hhmm.nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    if (r.channel === "email" && r.recipients.length === 0) ctx.addIssue({ code: "custom", path: ["recipients"], message: "an email route needs at least one recipient" });
    if (r.channel !== "email" && r.recipients.length > 0) ctx.addIssue({ code: "custom", path: ["recipients"], message: `${r.channel} posts to one team destination; recipients are for email only` });
    if (r.recipients.includes("approvers") && r.eventType !== "intent.approval_requested")
      ctx.addIssue({ code: "custom", path: ["recipients"], message: '"approvers" only applies to intent.approval_requested' });
    if ((r.quietStart === null) !== (r.quietEnd === null)) ctx.addIssue({ code: "custom", path: ["quietEnd"], message: "quiet hours need both a start and an end" });
  });
export type RouteInput = z.infer<typeof routeInput>;

export const replaceRoutesInput = z.strictObject({ routes: z.array(routeInput).max(200) });

export const routeSchema = z.object({
  id: z.string(),
  eventType: z.string(),
  channel: z.enum(CHANNELS),
  recipients: z.array(z.string()),
  minSeverity: z.enum(SEVERITIES),
  quietStart: z.string().nullable(),
  quietEnd: z.string().nullable(),
  enabled: z.boolean(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

export const overviewSchema = z.object({
  channels: z.array(z.object({ name: z.enum(CHANNELS), configured: z.boolean(), target: z.string().nullable() })),
  routes: z.array(routeSchema),
  eventTypes: z.array(z.string()),
  counts: z.object({ pending: z.number().int(), dead: z.number().int(), sentLastDay: z.number().int() }),
});

export const sendTestInput = z.strictObject({ channel: z.enum(CHANNELS) });
export const sendTestOutput = z.object({ ok: z.boolean(), target: z.string().nullable(), recipient: z.string().nullable(), error: z.string().nullable() });

export const deadLettersInput = z.strictObject({ limit: z.number().int().min(1).max(100).default(50), cursor: z.string().regex(/^\d+$/).optional() });
export const deadLetterSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  channel: z.string(),
  recipient: z.string(),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});
export const deadLettersOutput = z.object({ items: z.array(deadLetterSchema), nextCursor: z.string().nullable() });

export const retryInput = z.strictObject({ id: z.string().regex(/^\d+$/, "a delivery id") });
export const retryOutput = z.object({ id: z.string(), status: z.literal("pending") });
