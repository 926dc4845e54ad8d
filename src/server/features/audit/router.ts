import { router, scopedProcedure } from "@/server/trpc/procedures";
import { auditListInput, auditListOutput, auditRecentInput, auditRecentOutput, auditVerifyInput, auditVerifyOutput, userNamesInput, userNamesOutput } from "./schema";
import { verifyAuditLog } from "./lifecycle";
import { listAuditEvents, notifyIfBroken, recentAuditEvents, userNames } from "./service";

const auditRead = scopedProcedure("audit:read");

export const auditRouter = router({
  list: auditRead
    .meta({
      openapi: { method: "GET", path: "/audit", operationId: "listAuditEvents", summary: "List audit events, newest first, with filters and cursor pagination", tags: ["audit"] },
      resource: "audit",
    })
    .input(auditListInput)
    .output(auditListOutput)
    .query(({ ctx, input }) => listAuditEvents(ctx.deps, input)),

  recent: auditRead
    .meta({
      openapi: { method: "GET", path: "/audit/recent", operationId: "recentAuditEvents", summary: "The latest audit events (up to 50), newest first", tags: ["audit"] },
      resource: "audit",
    })
    .input(auditRecentInput)
    .output(auditRecentOutput)
    .query(({ ctx, input }) => recentAuditEvents(ctx.deps, input.limit)),

  /** Dashboard only: emails for user ids that other records (e.g. context's updatedBy) carry; audit readers see them in the log anyway. */
  userNames: auditRead
    .meta({ resource: "audit" })
    .input(userNamesInput)
    .output(userNamesOutput)
    .query(({ ctx, input }) => userNames(ctx.deps.db, input.ids)),

  verify: auditRead
    .meta({
      openapi: {
        method: "GET",
        path: "/audit/verify",
        operationId: "verifyAuditChain",
        summary:
          "Verify the audit log: signed segment manifests, the live hash chain since the last rotation, the newest signed checkpoint (a removed tail) and, with archive=true, the archived rows; ok or the first bad sequence number",
        tags: ["audit"],
      },
      resource: "audit",
      kind: "expensive",
    })
    .input(auditVerifyInput)
    .output(auditVerifyOutput)
    // concurrent callers share one verification (it re-hashes the live chain); each later call verifies afresh
    .query(async ({ ctx, input }) => notifyIfBroken(ctx.deps.db, await ctx.deps.snapshots.joined(`audit:verify:${input.archive}`, () => verifyAuditLog(ctx.deps, { archive: input.archive })))),
});
