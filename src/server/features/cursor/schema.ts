import { z } from "zod";
import { actorRefSchema } from "@/server/features/context/schema";

/** Limits of an IDE session: the unified diff a push may carry, and what a session lists. */
export const MAX_DIFF_BYTES = 262_144;
export const MAX_CHANGED_FILES = 1_000;
/** The diff text a read returns at most (GPT Actions refuse answers of 100,000 characters). */
export const MAX_DIFF_CHARS_RETURNED = 80_000;

export const sessionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,128}$/, "sessionId must be 1–128 letters, digits, . _ -")
  .describe("The IDE session's id (1–128 letters, digits, . _ -); also its context scope session:<id>");

const pathSchema = z.string().min(1).max(1_000);

export const FILE_STATUSES = ["added", "modified", "deleted", "renamed", "copied", "untracked", "typechange", "unmerged"] as const;

export const changedFileInput = z.strictObject({
  path: pathSchema.describe("Path from the repository root"),
  status: z.enum(FILE_STATUSES),
  additions: z.number().int().min(0).nullable().describe("Lines added; null for a binary file"),
  deletions: z.number().int().min(0).nullable().describe("Lines deleted; null for a binary file"),
});

const selectionSchema = z
  .strictObject({ startLine: z.number().int().min(1), endLine: z.number().int().min(1) })
  .refine((s) => s.endLine >= s.startLine, "selection.endLine must be ≥ startLine")
  .describe("The selected line range in the active file (1-based, inclusive)");

export const putSessionInput = z.strictObject({
  sessionId: sessionIdSchema,
  repo: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\s]+$/, "repo has no spaces")
    .describe("owner/name, or the checkout's folder name"),
  branch: z.string().max(255).nullable().describe("The checked-out branch; null when detached"),
  head: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, "head is a commit sha")
    .nullable()
    .describe("The HEAD commit; null before the first commit"),
  activeFile: pathSchema.nullable().describe("The file being edited"),
  selection: selectionSchema.nullable().optional(),
  changedFiles: z.array(changedFileInput).max(MAX_CHANGED_FILES).default([]),
  diff: z.string().optional().describe(`Unified diff of the working tree (at most ${MAX_DIFF_BYTES} bytes); secrets are redacted on arrival`),
  expectedVersion: z.number().int().min(0).optional().describe("The version your last push returned: a different current version is flagged as a conflict (the push still wins)"),
});
export type PutSessionInput = z.infer<typeof putSessionInput>;

export const changedFileSchema = changedFileInput.extend({ symbols: z.array(z.string()).describe("Declarations the diff touches in this file") });
export type ChangedFile = z.infer<typeof changedFileSchema>;

export const diffInfoSchema = z.object({
  bytes: z.number().int(),
  sha256: z.string(),
  redactions: z.number().int().describe("Secrets replaced by [redacted]"),
  text: z.string().optional().describe("The diff itself: only when the server allows raw code (AI_RAW_CODE=allow)"),
  truncated: z.boolean().optional(),
});

export const sessionSchema = z.object({
  sessionId: z.string(),
  repo: z.string(),
  branch: z.string().nullable(),
  head: z.string().nullable(),
  activeFile: z.string().nullable(),
  selection: z.object({ startLine: z.number().int(), endLine: z.number().int() }).nullable(),
  changedFiles: z.array(changedFileSchema),
  totals: z.object({ files: z.number().int(), additions: z.number().int(), deletions: z.number().int() }),
  diff: diffInfoSchema.nullable(),
  owner: z.string().describe("The client whose keys may write this session"),
  version: z.number().int(),
  updatedBy: actorRefSchema,
  updatedAt: z.string().describe("The last push or heartbeat"),
  changedAt: z.string().describe("When the session last reached a new state"),
  expiresAt: z.string(),
});
export type SessionView = z.infer<typeof sessionSchema>;

export const putSessionOutput = z.object({
  session: sessionSchema,
  conflict: z.boolean().describe("True when expectedVersion was stale: this push overwrote another writer's"),
  changed: z.boolean().describe("False for a heartbeat that changed nothing"),
});

export const getSessionInput = z.strictObject({ sessionId: sessionIdSchema });

export const listSessionsInput = z.strictObject({
  repo: z.string().max(200).optional().describe("Only sessions in this repo"),
  cursor: sessionIdSchema.optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const listSessionsOutput = z.object({
  items: z.array(sessionSchema),
  nextCursor: z.string().nullable(),
});
