import { createArchiveSinks, type AuditArchiveEnv, type AuditArchiveSink } from "@/server/adapters/audit-archive";
import { auditSigner, type AuditSigner } from "./signing";

/** What sealing, rotation and verification share: the signing key and the archive sinks (primary first). */
export interface AuditLifecycle {
  signer: AuditSigner;
  sinks: AuditArchiveSink[];
  segmentDays: number;
  retentionDays: number;
  close(): Promise<void>;
}

export type AuditLifecycleEnv = AuditArchiveEnv & { AUDIT_SIGNING_KEY?: string; AUDIT_SEGMENT_DAYS: number; AUDIT_RETENTION_DAYS: number };

export function openAuditLifecycle(e: AuditLifecycleEnv): AuditLifecycle {
  const sinks = createArchiveSinks(e);
  let signer: AuditSigner | undefined;
  return {
    // made on first use: a verify of a log with no segment or checkpoint yet needs no key (nor a writable DATA_DIR)
    get signer() {
      return (signer ??= auditSigner(e));
    },
    sinks,
    segmentDays: e.AUDIT_SEGMENT_DAYS,
    retentionDays: e.AUDIT_RETENTION_DAYS,
    close: async () => void (await Promise.all(sinks.map((s) => s.close()))),
  };
}
