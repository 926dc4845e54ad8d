import path from "node:path";
import { folderArchive } from "./folder";
import { parseS3Url } from "./s3-url";
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
  const s3 = url?.startsWith("s3://") ? { url, ...parseS3Url(url) } : null;
  const primary = s3
    ? loadedOnUse(`s3://${s3.bucket}/${s3.prefix}`, async () => (await import("./s3")).s3Archive({ url: s3.url, endpoint: e.AUDIT_ARCHIVE_S3_ENDPOINT, region: e.AUDIT_ARCHIVE_S3_REGION }))
    : folderArchive(path.resolve(url ? url.replace(/^file:\/\//, "") : path.join(e.dataDir, "audit-archive")));
  const mongoUri = e.MONGO_URI;
  return mongoUri ? [primary, loadedOnUse("mongo", async () => (await import("./mongo")).mongoArchive(mongoUri))] : [primary];
}

/**
 * A sink whose module is loaded on its first use: the AWS SDK and the MongoDB driver add ≈ 35 MB to
 * every process that loads them (the app, the worker, a seal), and a deployment with the folder sink
 * needs neither.
 */
function loadedOnUse(name: string, load: () => Promise<AuditArchiveSink>): AuditArchiveSink {
  let sink: Promise<AuditArchiveSink> | undefined;
  const get = () => (sink ??= load());
  return {
    name,
    writeSegment: async (manifest, source) => (await get()).writeSegment(manifest, source),
    listManifests: async () => (await get()).listManifests(),
    async *readSegment(manifest) {
      yield* (await get()).readSegment(manifest);
    },
    writeCheckpoint: async (checkpoint) => (await get()).writeCheckpoint(checkpoint),
    latestCheckpoint: async () => (await get()).latestCheckpoint(),
    close: async () => {
      const loaded = await sink?.catch(() => null);
      await loaded?.close();
    },
  };
}
