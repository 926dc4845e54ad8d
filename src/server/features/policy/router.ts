import { z } from "zod";
import { callOf } from "@/server/trpc/context";
import { humanProcedure, router } from "@/server/trpc/procedures";
import { dryRunInput, dryRunOutput, policyVersionSchema, replacePolicyInput } from "./schema";
import { dryRunPolicy, getPolicy, listPolicyVersions, replacePolicy } from "./service";

/**
 * The intent policy, dashboard only: any signed-in reader sees it; only a human admin changes it.
 * No API key can rewrite the policy (an admin-scoped key could otherwise allow itself anything).
 */
const admin = humanProcedure("admin");

export const policyRouter = router({
  get: humanProcedure("intents:read")
    .meta({ resource: "policy" })
    .input(z.strictObject({}))
    .output(policyVersionSchema)
    .query(({ ctx }) => getPolicy(ctx.deps.db)),

  versions: humanProcedure("intents:read")
    .meta({ resource: "policy" })
    .input(z.strictObject({ limit: z.number().int().min(1).max(100).default(20) }))
    .output(z.array(policyVersionSchema))
    .query(({ ctx, input }) => listPolicyVersions(ctx.deps.db, input.limit)),

  dryRun: admin
    .meta({ resource: "policy", kind: "expensive" })
    .input(dryRunInput)
    .output(dryRunOutput)
    .mutation(({ ctx, input }) => dryRunPolicy(ctx.deps.db, input.rules, input.limit)),

  replace: admin
    .meta({ resource: "policy", audit: "service" })
    .input(replacePolicyInput)
    .output(policyVersionSchema)
    .mutation(({ ctx, input }) => replacePolicy(ctx.deps.audit, callOf(ctx), input)),
});
