import type { JobDefinition } from "@/server/jobs/types";
import { pruneIndex } from "./prune";

/** Upkeep of the repositories' index. */
export const repoJobs: JobDefinition[] = [
  {
    name: "vectors-prune",
    description: "Remove chunks and vectors of repos no longer configured and of files gone from the default branch (data.dryRun: report only)",
    schedule: "41 4 1 * *",
    timeoutSeconds: 1_800,
    retry: { limit: 2, delaySeconds: 600, backoff: true },
    singleton: true,
    runsInCron: false,
    run: async (ctx) => {
      const s = await pruneIndex(ctx.deps, { dryRun: ctx.data.dryRun === true, signal: ctx.signal, log: ctx.log });
      return { ...s, repos: s.repos.length, pruned: s.repos };
    },
  },
];
