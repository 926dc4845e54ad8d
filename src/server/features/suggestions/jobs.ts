import { systemActor } from "@/server/core/auth/actor";
import type { JobDefinition } from "@/server/jobs/types";
import { computeSuggestions } from "./service";

/** The day's suggestions, computed early (06:00 UTC) so the first reader finds them ready; a day already computed is left as is. */
export const suggestionsJobs: JobDefinition[] = [
  {
    name: "suggestions-daily",
    description: "Compute the day's suggestions and briefing from the orchestrator's signals (once per UTC day)",
    schedule: "0 6 * * *",
    timeoutSeconds: 120,
    retry: { limit: 2, delaySeconds: 120, backoff: true },
    singleton: true,
    runsInCron: true,
    run: async (ctx) => {
      const result = await computeSuggestions(ctx.deps, { actor: systemActor("suggestions-daily"), requestId: ctx.runId, surface: "system" }, { mode: "daily" });
      ctx.log(
        result.computed
          ? `computed ${result.briefing.day}: ${result.findings.length} live findings, ${result.appeared.length} new, ${result.resolved.length} resolved`
          : `${result.briefing.day} was already computed`,
      );
      return {
        day: result.briefing.day,
        computed: result.computed,
        counts: result.counts,
        appeared: result.appeared.length,
        newCritical: result.newCritical.map((f) => f.key),
        resolved: result.resolved.length,
        briefing: result.briefing.source,
      };
    },
  },
];
