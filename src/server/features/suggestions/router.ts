import { z } from "zod";
import { fitToBudget, RESPONSE_BUDGET_CHARS } from "@/server/core/paging";
import { intentSchema } from "@/server/features/intents/schema";
import { callOf } from "@/server/trpc/context";
import { humanProcedure, router, scopedProcedure } from "@/server/trpc/procedures";
import { dailyInput, dailyOutput, dismissInput, doneInput, findingSchema, idInput, type DailyOutput } from "./schema";
import { computeSuggestions, dailySuggestions, dismissFinding, markFindingDone, proposeFromFinding, reopenFinding, topFindings } from "./service";

const read = scopedProcedure("suggestions:read");
// Dismissing hides a signal from the whole team: people (operators and up) decide that, never an agent.
const act = humanProcedure("suggestions:triage");
const tags = ["suggestions"];

/** The findings asked for, most pressing first, cut to fit a GPT action's response limit (`truncated` says so). */
function shaped(day: DailyOutput, status: "open" | "all"): DailyOutput {
  const wanted = status === "open" ? day.findings.filter((f) => f.status === "open") : day.findings;
  const { items, cut } = fitToBudget(wanted, RESPONSE_BUDGET_CHARS - JSON.stringify(day.briefing).length);
  return { ...day, findings: items, truncated: cut };
}

/** Daily suggestions: read (and compute once a day), refresh, act on a finding. */
export const suggestionsRouter = router({
  daily: read
    .meta({
      openapi: {
        method: "GET",
        path: "/suggestions/daily",
        operationId: "dailySuggestions",
        summary: "Today's briefing and suggestions (findings from the orchestrator's own signals, with evidence and ready intents); computed once a day",
        tags,
      },
      resource: "suggestion",
    })
    .input(dailyInput)
    .output(dailyOutput)
    .query(async ({ ctx, input }) => shaped(await dailySuggestions(ctx.deps, callOf(ctx)), input.status)),

  refresh: read
    .meta({
      openapi: { method: "POST", path: "/suggestions/refresh", operationId: "refreshSuggestions", summary: "Recompute today's suggestions and briefing now from the latest signals", tags },
      effect: { destructive: false, idempotent: true },
      resource: "suggestion",
      kind: "expensive",
      audit: "service",
    })
    .input(z.strictObject({}))
    .output(dailyOutput)
    .mutation(async ({ ctx }) => shaped(await computeSuggestions(ctx.deps, callOf(ctx), { mode: "refresh" }), "all")),

  propose: scopedProcedure("intents:propose")
    .meta({
      openapi: {
        method: "POST",
        path: "/suggestions/{id}/propose",
        operationId: "proposeSuggestion",
        summary: "Send a suggestion's ready intent through the policy (as POST /ai/intents would); returns the intent",
        tags,
      },
      effect: { destructive: false, idempotent: false },
      resource: "suggestion",
      kind: "write",
      audit: "service",
    })
    .input(idInput)
    .output(z.object({ finding: findingSchema, intent: intentSchema }))
    .mutation(({ ctx, input }) => proposeFromFinding(ctx.deps, callOf(ctx), input.id)),

  dismiss: act
    .meta({ resource: "suggestion", audit: "service" })
    .input(dismissInput)
    .output(findingSchema)
    .mutation(({ ctx, input }) => dismissFinding(ctx.deps, callOf(ctx), input)),

  done: act
    .meta({ resource: "suggestion", audit: "service" })
    .input(doneInput)
    .output(findingSchema)
    .mutation(({ ctx, input }) => markFindingDone(ctx.deps, callOf(ctx), input)),

  reopen: act
    .meta({ resource: "suggestion", audit: "service" })
    .input(idInput)
    .output(findingSchema)
    .mutation(({ ctx, input }) => reopenFinding(ctx.deps, callOf(ctx), input)),

  top: read
    .meta({ resource: "suggestion" })
    .input(z.strictObject({ limit: z.number().int().min(1).max(10).default(3) }))
    .output(z.object({ items: z.array(findingSchema) }))
    .query(async ({ ctx, input }) => ({ items: await topFindings(ctx.deps, input.limit) })),
});
