import { router, scopedProcedure } from "@/server/trpc/procedures";
import { codeSearchInput, codeSearchOutput, recallInput, recallOutput, unifiedSearchInput, unifiedSearchOutput } from "./schema";
import { recall, searchCode, searchDepsOf, searchEverything, viewFor } from "./service";

const githubRead = scopedProcedure("github:read");
const searchRead = scopedProcedure("search:read");

/** Code search, recall and the search across everything (REST paths under /ai/github and /ai/search). */
export const searchRouter = router({
  code: githubRead
    .meta({
      openapi: {
        method: "GET",
        path: "/github/search",
        operationId: "searchCode",
        summary: "Hybrid code search over indexed repos: files ranked by full-text (code, paths, symbols, summaries) fused with vectors when configured; filters repo, path glob, language",
        tags: ["github"],
      },
      resource: "repo",
      kind: "expensive",
    })
    .input(codeSearchInput)
    .output(codeSearchOutput)
    .query(({ ctx, input }) => searchCode(searchDepsOf(ctx.deps), input, viewFor(ctx.actor, ctx.deps.env.AI_RAW_CODE))),

  recall: githubRead
    .meta({
      openapi: {
        method: "GET",
        path: "/github/recall",
        operationId: "recallCode",
        summary: "Where is X handled? File and folder summaries ranked against the question (semantic when vectors are configured, else full-text over summaries, paths and symbols)",
        tags: ["github"],
      },
      resource: "repo",
      kind: "expensive",
    })
    .input(recallInput)
    .output(recallOutput)
    .query(({ ctx, input }) => recall(searchDepsOf(ctx.deps), input)),

  all: searchRead
    .meta({
      openapi: {
        method: "GET",
        path: "/search",
        operationId: "searchEverything",
        summary: "One search across indexed code, audit events and shared-context entries; each result is typed (code, audit, context) and sources the caller cannot read are skipped",
        tags: ["search"],
      },
      resource: "repo",
      kind: "expensive",
    })
    .input(unifiedSearchInput)
    .output(unifiedSearchOutput)
    .query(({ ctx, input }) => searchEverything(searchDepsOf(ctx.deps), ctx.actor, input, viewFor(ctx.actor, ctx.deps.env.AI_RAW_CODE))),
});
