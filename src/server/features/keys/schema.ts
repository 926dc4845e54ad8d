import { z } from "zod";
import { booleanParam } from "@/server/core/params";
import { SCOPES } from "@/server/core/auth/permissions";

const limits = z.strictObject({
  read: z.number().int().positive().optional(),
  write: z.number().int().positive().optional(),
  expensive: z.number().int().positive().optional(),
});

export const keyViewSchema = z.object({
  id: z.string(),
  prefix: z.string(),
  clientId: z.string(),
  scopes: z.array(z.string()),
  rateLimits: limits.nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  ownerUserId: z.string().nullable().describe("The person accountable for the key; null = nobody, so its intents cannot be approved"),
});

export const createKeyInput = z.strictObject({
  clientId: z.string().min(1).max(63).describe("The client this key belongs to, e.g. gpt or cursor; created on first use"),
  scopes: z.array(z.enum(SCOPES)).min(1),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  rateLimits: limits.optional().describe("Per-minute limits for this key, overriding the defaults"),
});

export const createKeyOutput = z.object({
  key: z.string().describe("The API key in plain text: shown once, store it now"),
  record: keyViewSchema,
});

export const listKeysInput = z.strictObject({
  clientId: z.string().max(63).optional(),
  includeRevoked: booleanParam.default(false),
  cursor: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const listKeysOutput = z.object({ items: z.array(keyViewSchema), nextCursor: z.string().nullable() });

export const revokeKeyInput = z.strictObject({ prefix: z.string().min(4).max(64) });
