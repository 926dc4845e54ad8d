import { z } from "zod";
import { verifyChain } from "@/server/core/audit/verify";
import { router, scopedProcedure } from "@/server/trpc/procedures";
import { auditListInput, auditListOutput, auditVerifyOutput } from "./schema";
import { listAuditEvents } from "./service";

const auditRead = scopedProcedure("audit:read");

export const auditRouter = router({
  list: auditRead
    .meta({
      openapi: { method: "GET", path: "/audit", operationId: "listAuditEvents", summary: "List audit events, newest first, with filters and cursor pagination", tags: ["audit"] },
      resource: "audit",
    })
    .input(auditListInput)
    .output(auditListOutput)
    .query(({ ctx, input }) => listAuditEvents(ctx.deps.db, input)),

  verify: auditRead
    .meta({
      openapi: { method: "GET", path: "/audit/verify", operationId: "verifyAuditChain", summary: "Walk the audit hash chain and report ok or the first bad sequence number", tags: ["audit"] },
      resource: "audit",
      kind: "expensive",
    })
    .input(z.strictObject({}))
    .output(auditVerifyOutput)
    .query(({ ctx }) => verifyChain(ctx.deps.db)),
});
