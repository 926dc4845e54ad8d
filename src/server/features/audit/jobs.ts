import type { JobDefinition } from "@/server/jobs/types";
import { checkpointAuditHead, sealAndRotate } from "./lifecycle";

/** The audit log's upkeep: sealing, archiving and rotation, and signed checkpoints of the head in between. */
export const auditJobs: JobDefinition[] = [
  {
    name: "audit-seal",
    description: "Seal complete audit windows (AUDIT_SEGMENT_DAYS) into signed segments, archive them, drop rows past AUDIT_RETENTION_DAYS",
    // daily: a window is sealed within a day of its end, whatever AUDIT_SEGMENT_DAYS is
    schedule: "17 3 * * *",
    timeoutSeconds: 1_800,
    retry: { limit: 3, delaySeconds: 300, backoff: true },
    singleton: true,
    runsInCron: false,
    run: async (ctx) => {
      const summary = await sealAndRotate(ctx.deps, { signal: ctx.signal, log: ctx.log });
      return { ...summary, sealed: summary.sealed.length, segments: summary.sealed };
    },
  },
  {
    name: "audit-checkpoint",
    description: "Sign the audit chain's head and export it to the archive, so a removed tail shows in verify",
    schedule: "*/15 * * * *",
    timeoutSeconds: 60,
    retry: { limit: 2, delaySeconds: 30, backoff: false },
    singleton: true,
    runsInCron: true,
    run: async (ctx) => {
      const cp = await checkpointAuditHead(ctx.deps);
      return { checkpointSeq: cp?.seq ?? null };
    },
  },
];
