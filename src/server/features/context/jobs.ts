import type { JobDefinition } from "@/server/jobs/types";
import { reconcileWrites } from "./journal";

/** Scheduled work of the shared context. */
export const contextJobs: JobDefinition[] = [
  {
    name: "context-reconcile-writes",
    description: "Audit shared-context writes whose request ended before their audit event was stored (crash, store timeout, database outage).",
    schedule: "* * * * *",
    timeoutSeconds: 60,
    retry: { limit: 2, delaySeconds: 30, backoff: true },
    singleton: true,
    runsInCron: true,
    run: async (ctx) => reconcileWrites(ctx.deps),
  },
];
