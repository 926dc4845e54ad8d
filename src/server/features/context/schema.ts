import { z } from "zod";
import { booleanParam } from "@/server/core/params";

/** Limits of the shared context. The longest TTL is CONTEXT_MAX_TTL_SECONDS. */
export const DEFAULT_TTL_SECONDS = 900;
export const MAX_VALUE_BYTES = 65_536;
export const MAX_KEY_LENGTH = 200;

const ID = "[A-Za-z0-9._-]{1,128}";
/** `global`, `repo:<owner>/<name>` (GitHub's alphabets), `session:<id>` or `client:<id>` with ids of [A-Za-z0-9._-]. */
export const SCOPE_PATTERN = new RegExp(`^(?:global|repo:[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}|session:${ID}|client:${ID})$`);
/** Letters, digits and . _ : / - ; up to 200 characters. */
export const KEY_PATTERN = /^[A-Za-z0-9._:/-]{1,200}$/;

export const scopeSchema = z
  .string()
  .regex(SCOPE_PATTERN, "scope must be global, repo:<owner>/<name>, session:<id> or client:<id> (ids of letters, digits, . _ -)")
  .describe("global, repo:<owner>/<name>, session:<id> or client:<id>");

export const keySchema = z
  .string()
  .max(MAX_KEY_LENGTH, `key must be at most ${MAX_KEY_LENGTH} characters`)
  .regex(KEY_PATTERN, "key must be 1–200 characters of letters, digits and . _ : / -")
  .describe("1–200 characters of letters, digits and . _ : / -");

/** Any JSON value; `null` is a value, a missing field is not. */
const jsonValue = z.unknown().refine((v) => v !== undefined, "value is required");

export const actorRefSchema = z.object({
  type: z.string().describe("api_key, user or system"),
  id: z.string().describe("The client id of an API key, or the user's id"),
});
export type ActorRef = z.infer<typeof actorRefSchema>;

export const entrySchema = z.object({
  scope: z.string(),
  key: z.string(),
  value: jsonValue.describe("The stored JSON value"),
  version: z.number().int().describe("1 on creation, +1 on every write"),
  updatedBy: actorRefSchema,
  updatedAt: z.string(),
  expiresAt: z.string(),
});
export type Entry = z.infer<typeof entrySchema>;

export const getInput = z.strictObject({ scope: scopeSchema, key: keySchema });
export type GetInput = z.infer<typeof getInput>;

export const listInput = z.strictObject({
  scope: scopeSchema,
  prefix: z
    .string()
    .max(MAX_KEY_LENGTH)
    .regex(/^[A-Za-z0-9._:/-]*$/, "prefix uses the key alphabet")
    .optional()
    .describe("Only keys starting with this"),
  cursor: keySchema.optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListInput = z.infer<typeof listInput>;

export const listOutput = z.object({
  items: z.array(entrySchema),
  nextCursor: z.string().nullable().describe("Pass as cursor for the next page; null at the end"),
});

export const putInput = z.strictObject({
  scope: scopeSchema,
  key: keySchema,
  value: jsonValue.describe(`Any JSON value, at most ${MAX_VALUE_BYTES} bytes serialized`),
  ttlSeconds: z.number().int().min(1).optional().describe(`Time to live in seconds (default ${DEFAULT_TTL_SECONDS}; the maximum is configured)`),
  expectedVersion: z.number().int().min(0).optional().describe("The version you last read (0 = expect no entry). When stale, the write still wins but is flagged as a conflict"),
  ifMatch: booleanParam.optional().describe("With expectedVersion: refuse a stale write with 409 instead of overwriting"),
});
export type PutInput = z.infer<typeof putInput>;

export const putOutput = z.object({
  entry: entrySchema,
  conflict: z.boolean().describe("True when expectedVersion was stale and this write overwrote someone else's"),
});

export const deleteOutput = z.object({ deleted: z.boolean().describe("False when there was no such entry") });

export const historyInput = z.strictObject({
  scope: scopeSchema,
  key: keySchema,
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const historyItemSchema = z.object({
  operation: z.enum(["put", "delete"]),
  at: z.string(),
  actor: z.object({ type: z.string(), id: z.string(), clientId: z.string().nullable() }),
  version: z.number().int().nullable().describe("The version written, or the version deleted"),
  previousVersion: z.number().int().nullable(),
  conflict: z.boolean(),
  conflictWith: z
    .object({ expectedVersion: z.number().int(), overwrittenVersion: z.number().int(), overwrittenBy: actorRefSchema.nullable() })
    .nullable()
    .describe("On a conflict: the version the writer expected, and the version (and its writer) it overwrote"),
  value: z.unknown().describe("The value written (secrets redacted) when small enough to keep whole, else null"),
  preview: z.string().nullable().describe("The value as JSON text, cut to 2,000 characters"),
  truncated: z.boolean(),
  requestId: z.string(),
  auditSeq: z.number().int(),
});
export type HistoryItem = z.infer<typeof historyItemSchema>;

export const historyOutput = z.object({ items: z.array(historyItemSchema) });

export const summaryOutput = z.object({
  scopes: z.array(z.object({ scope: z.string(), entries: z.number().int() })),
  lastWrites: z.array(historyItemSchema.extend({ scope: z.string(), key: z.string() })),
  asOf: z.string().describe("When the counts and writes were read (shared for up to 2 s; a write through this instance forgets it)"),
});

export const watchInput = z.strictObject({ scope: scopeSchema });

export const contextEventSchema = z.object({
  type: z.enum(["put", "delete"]),
  scope: z.string(),
  key: z.string(),
  entry: entrySchema.optional(),
  at: z.string(),
  /** The change's number in its scope (1, 2, …), for streams that resume. */
  seq: z.number().int().optional(),
});
export type ContextEvent = z.infer<typeof contextEventSchema>;

/** Sharing a client's or a session's scope with another client (admins only). */
const ownedScope = scopeSchema.refine((s) => s.startsWith("client:") || s.startsWith("session:"), "only client:<id> and session:<id> scopes are owned; global and repo: scopes are shared already");
export const grantInput = z.strictObject({
  scope: ownedScope,
  clientId: z.string().min(1).max(63).describe("The client that may use the scope"),
  access: z.enum(["read", "write"]).describe("read, or write (which includes read)"),
});
export const revokeGrantInput = z.strictObject({ scope: ownedScope, clientId: z.string().min(1).max(63) });
export const listGrantsInput = z.strictObject({ scope: scopeSchema.optional(), clientId: z.string().max(63).optional() });
export const grantSchema = z.object({ scope: z.string(), clientId: z.string(), access: z.enum(["read", "write"]), grantedBy: z.string(), grantedAt: z.string() });
export const listGrantsOutput = z.object({ items: z.array(grantSchema) });
export const revokeGrantOutput = z.object({ revoked: z.boolean().describe("False when there was no such grant") });
