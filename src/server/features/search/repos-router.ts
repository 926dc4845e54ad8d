import { z } from "zod";
import { can } from "@/server/core/auth/actor";
import { callOf } from "@/server/trpc/context";
import { humanProcedure, router, scopedProcedure } from "@/server/trpc/procedures";
import { listRepoIndex, queueReindex } from "./repos";

const repoIndexSchema = z.object({
  id: z.string(),
  source: z.string(),
  defaultBranch: z.string(),
  htmlUrl: z.string().nullable(),
  localPath: z.string().nullable(),
  indexedSha: z.string().nullable(),
  indexedAt: z.string().nullable(),
  indexState: z.string(),
  files: z.number().int(),
  chunks: z.number().int(),
  vectors: z.number().int().nullable().describe("Vectors in pgvector for this repo; null when not known here (Pinecone, or no embeddings)"),
  lastRun: z
    .object({
      id: z.string(),
      trigger: z.string(),
      status: z.string(),
      full: z.boolean(),
      createdAt: z.string(),
      durationMs: z.number().int().nullable(),
      filesAdded: z.number().int(),
      filesChanged: z.number().int(),
      filesRemoved: z.number().int(),
      filesSkipped: z.number().int(),
      chunks: z.number().int(),
      error: z.string().nullable(),
    })
    .nullable(),
});

/** Dashboard only: the index state of each repo, and a Reindex button for operators. */
export const repoIndexRouter = router({
  list: scopedProcedure("github:read")
    .meta({ resource: "repo" })
    .input(z.strictObject({}))
    .output(z.object({ repos: z.array(repoIndexSchema), canReindex: z.boolean() }))
    .query(async ({ ctx }) => ({ repos: await listRepoIndex(ctx.deps.db), canReindex: ctx.actor.type === "user" && can(ctx.actor, "repos:reindex") })),

  /** Operators and above (repos:reindex); API keys cannot. */
  reindex: humanProcedure("repos:reindex")
    .meta({ resource: "repo", audit: "service" })
    .input(z.strictObject({ repo: z.string().min(1).max(200), full: z.boolean().default(false) }))
    .output(z.object({ runId: z.string(), status: z.string(), alreadyQueued: z.boolean() }))
    .mutation(({ ctx, input }) => queueReindex(ctx.deps, callOf(ctx), input)),
});
