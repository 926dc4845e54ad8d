/**
 * Where sealed audit segments go: each sink keeps a segment's rows (NDJSON, gzip, or one document
 * per event) and its signed manifest, and the exported checkpoints. The sink stores and returns
 * these documents as given; signing and checking them is the audit core's business.
 */
export interface ArchivedRow {
  seq: number;
  [field: string]: unknown;
}

/** A segment's signed manifest as stored: the manifest's own fields plus its signature. */
export interface ManifestDocument {
  segment: number;
  firstSeq: number;
  lastSeq: number;
  [field: string]: unknown;
}

export interface CheckpointDocument {
  seq: number;
  [field: string]: unknown;
}

/** A segment being archived: its rows as a local gzip NDJSON file, or as rows from a sequence number on. */
export interface SegmentSource {
  /** Path of a local file holding the segment's rows, one JSON object per line, gzip-compressed. */
  gzipFile: string;
  rows(fromSeq: number): AsyncIterable<ArchivedRow>;
}

export interface AuditArchiveSink {
  /** Where it writes, without credentials ("folder .data/audit-archive", "s3://bucket/prefix", "mongo"). */
  readonly name: string;
  /** Stores the rows, then the manifest: a manifest present means its rows are complete. Idempotent. */
  writeSegment(manifest: ManifestDocument, source: SegmentSource): Promise<void>;
  /** Every stored manifest, in segment order. */
  listManifests(): Promise<ManifestDocument[]>;
  /** The rows of a stored segment in sequence order; empty when the sink has none. */
  readSegment(manifest: ManifestDocument): AsyncIterable<ArchivedRow>;
  writeCheckpoint(checkpoint: CheckpointDocument): Promise<void>;
  /** The checkpoint of the highest sequence number, or null. */
  latestCheckpoint(): Promise<CheckpointDocument | null>;
  close(): Promise<void>;
}

export const segmentBaseName = (segment: number) => `segments/${String(segment).padStart(8, "0")}`;
export const checkpointName = (seq: number) => `checkpoints/${String(seq).padStart(16, "0")}.json`;
