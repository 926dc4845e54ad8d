import { createArchiveSinks, type AuditArchiveEnv, type AuditArchiveSink } from "@/server/adapters/audit-archive";
import { auditKeyring, auditSigner, type AuditKeyring, type AuditSigner } from "./signing";

/** What sealing, rotation and verification share: the signing key and the archive sinks (primary first). */
export interface AuditLifecycle {
  /** Signs new manifests and checkpoints. */
  signer: AuditSigner;
  /** Verifies them: the signer's key and the keys it replaced. */
  keys: AuditKeyring;
  sinks: AuditArchiveSink[];
  segmentDays: number;
  retentionDays: number;
  close(): Promise<void>;
}

export type AuditLifecycleEnv = AuditArchiveEnv & { AUDIT_SIGNING_KEY?: string; AUDIT_SIGNING_KEYS_PREVIOUS?: string; AUDIT_SEGMENT_DAYS: number; AUDIT_RETENTION_DAYS: number };

export function openAuditLifecycle(e: AuditLifecycleEnv): AuditLifecycle {
  const sinks = createArchiveSinks(e);
  let signer: AuditSigner | undefined;
  let keys: AuditKeyring | undefined;
  return {
    // made on first use: a verify of a log with no segment or checkpoint yet needs no key (nor a writable DATA_DIR)
    get signer() {
      return (signer ??= auditSigner(e));
    },
    get keys() {
      return (keys ??= auditKeyring(this.signer, e.AUDIT_SIGNING_KEYS_PREVIOUS));
    },
    sinks,
    segmentDays: e.AUDIT_SEGMENT_DAYS,
    retentionDays: e.AUDIT_RETENTION_DAYS,
    close: async () => void (await Promise.all(sinks.map((s) => s.close()))),
  };
}
