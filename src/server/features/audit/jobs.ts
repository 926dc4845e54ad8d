import type { JobDefinition } from "@/server/jobs/types";
import { checkpointAuditHead, sealAndRotate, verifyAuditLog } from "./lifecycle";
import { fillSearchDocuments } from "./search";
import { notifyIfBroken } from "./service";

/**
 * The audit log's upkeep: sealing, archiving and rotation, signed checkpoints of the head in between,
 * and the weekly full check of the archive.
 */
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
  {
    name: "audit-search-backfill",
    description: "Store the search document of audit events written before it was stored, in batches; nothing to do once every event has it",
    schedule: "*/30 * * * *",
    timeoutSeconds: 1_800,
    retry: { limit: 1, delaySeconds: 300, backoff: false },
    singleton: true,
    // a log of millions takes minutes: enqueued by cron, run by a worker
    runsInCron: false,
    run: async (ctx) => ({ filled: await fillSearchDocuments(ctx.deps, { signal: ctx.signal }) }),
  },
  {
    name: "audit-verify-archive",
    description: "Verify the audit log with its archive (verify --archive): every archived segment's rows against its signed manifest; fails on the first bad sequence",
    // weekly, after that day's seal: plain verify never re-hashes sealed rows, so an edit in place is found here
    schedule: "47 4 * * 0",
    timeoutSeconds: 3_600,
    // a broken archive stays broken; the retry is for an archive that could not be read (S3 down)
    retry: { limit: 1, delaySeconds: 900, backoff: false },
    singleton: true,
    runsInCron: false,
    run: async (ctx) => {
      const r = await notifyIfBroken(ctx.deps.db, await verifyAuditLog(ctx.deps, { archive: true }));
      const checked = `${r.segments} sealed segment(s), ${r.archivedChecked} archived rows, ${r.checked} rows hashed in the database, live chain from ${r.liveFromSeq}`;
      // a failed run keeps its error and log, not a result: what was checked goes to the log
      ctx.log(`checked ${checked}${r.checkpointSeq ? `, checkpoint at ${r.checkpointSeq}` : ""}`);
      if (!r.ok) throw new Error(`audit log NOT intact at sequence ${r.firstBadSeq}: ${r.reason}`);
      return { ok: true, segments: r.segments, archivedChecked: r.archivedChecked, checked: r.checked, liveFromSeq: r.liveFromSeq, checkpointSeq: r.checkpointSeq, headHash: r.headHash };
    },
  },
];
