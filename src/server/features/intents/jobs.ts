import { systemActor } from "@/server/core/auth/actor";
import type { JobDefinition } from "@/server/jobs/types";
import { sweepIntents } from "./execution";

/**
 * The intents sweep, every minute: expires pending intents past their expiry, starts approved ones
 * whose start was lost, and fails executions left running past their timeout (never re-run).
 */
export const intentsJobs: JobDefinition[] = [
  {
    name: "intents-sweep",
    description: "Expires pending intents, starts approved ones whose start was lost, fails executions stuck past their timeout",
    schedule: "* * * * *",
    timeoutSeconds: 50,
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    singleton: true,
    runsInCron: true,
    run: async ({ deps, runId }) => sweepIntents(deps, { actor: systemActor("intents-sweep"), requestId: runId, surface: "system", ip: null }),
  },
];
