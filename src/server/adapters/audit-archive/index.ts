import path from "node:path";
import { folderArchive } from "./folder";
import { mongoArchive } from "./mongo";
import { s3Archive } from "./s3";
import type { AuditArchiveSink } from "./types";

export type { AuditArchiveSink } from "./types";

export interface AuditArchiveEnv {
  dataDir: string;
  AUDIT_ARCHIVE_URL?: string;
  AUDIT_ARCHIVE_S3_ENDPOINT?: string;
  AUDIT_ARCHIVE_S3_REGION?: string;
  MONGO_URI?: string;
}

/**
 * The archive sinks: the primary one (AUDIT_ARCHIVE_URL: s3://bucket/prefix or a folder path;
 * default DATA_DIR/audit-archive), which `verify --archive` reads, then the Mongo mirror when
 * MONGO_URI is set. A segment counts as archived once every sink holds it.
 */
export function createArchiveSinks(e: AuditArchiveEnv): AuditArchiveSink[] {
  const url = e.AUDIT_ARCHIVE_URL;
  const primary = url?.startsWith("s3://")
    ? s3Archive({ url, endpoint: e.AUDIT_ARCHIVE_S3_ENDPOINT, region: e.AUDIT_ARCHIVE_S3_REGION })
    : folderArchive(path.resolve(url ? url.replace(/^file:\/\//, "") : path.join(e.dataDir, "audit-archive")));
  return e.MONGO_URI ? [primary, mongoArchive(e.MONGO_URI)] : [primary];
}
