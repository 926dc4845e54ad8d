import { router, scopedProcedure } from "@/server/trpc/procedures";
import { commitsInput, commitsOutput, repoInput, repoOutput, runsInput, runsOutput } from "./schema";
import { listCommits, listRuns, repoInfo } from "./service";

const read = scopedProcedure("github:read");
const tags = ["github"];

/** GitHub visibility for GPT, Cursor and the dashboard: the repo, its commits and its CI runs (or what the local checkout can tell). */
export const githubRouter = router({
  repo: read
    .meta({
      openapi: {
        method: "GET",
        path: "/github/repo",
        operationId: "getGitHubRepo",
        summary: "A repository: metadata, default branch, languages, open PR and issue counts, last push, head commit, index state",
        tags,
      },
      resource: "github",
    })
    .input(repoInput)
    .output(repoOutput)
    .query(({ ctx, input }) => repoInfo(ctx.deps, input)),

  commits: read
    .meta({
      openapi: {
        method: "GET",
        path: "/github/commits",
        operationId: "listGitHubCommits",
        summary: "Commits newest first, filtered by branch, path, author, since, until; each with sha, author, date, message and changed-file counts; cursor pages",
        tags,
      },
      resource: "github",
    })
    .input(commitsInput)
    .output(commitsOutput)
    .query(({ ctx, input }) => listCommits(ctx.deps, input)),

  runs: read
    .meta({
      openapi: {
        method: "GET",
        path: "/github/runs",
        operationId: "listGitHubRuns",
        summary: "GitHub Actions runs in a window (default 7 days): status, conclusion, branch, workflow, event, duration; plus failure rate and median duration per workflow",
        tags,
      },
      resource: "github",
    })
    .input(runsInput)
    .output(runsOutput)
    .query(({ ctx, input }) => listRuns(ctx.deps, input)),
});
