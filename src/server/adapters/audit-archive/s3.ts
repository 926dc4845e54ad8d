import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { gzipNdjsonRows } from "./ndjson";
import { parseS3Url } from "./s3-url";
import { checkpointName, segmentBaseName, type AuditArchiveSink, type CheckpointDocument, type ManifestDocument, type SegmentSource } from "./types";

export interface S3ArchiveConfig {
  /** s3://bucket/prefix */
  url: string;
  /** Any S3-compatible service (MinIO, R2, s3rver…); addressed path-style. Unset: AWS. */
  endpoint?: string;
  region?: string;
  /** Unset: the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** S3-compatible object storage: the folder sink's layout under `prefix/`. */
export function s3Archive(cfg: S3ArchiveConfig): AuditArchiveSink {
  const { bucket, prefix } = parseS3Url(cfg.url);
  // checksums only when the operation needs one: the SDK's default (aws-chunked CRC32 trailers) is not understood by every S3-compatible service
  const client = new S3Client({
    region: cfg.region ?? "us-east-1",
    endpoint: cfg.endpoint,
    forcePathStyle: Boolean(cfg.endpoint),
    credentials: cfg.credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const key = (name: string) => `${prefix}${name}`;

  async function listKeys(under: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key(under), ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async function getObject(k: string): Promise<Readable | null> {
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      return res.Body as Readable;
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey") return null;
      throw err;
    }
  }

  async function getJson<T>(k: string): Promise<T | null> {
    const body = await getObject(k);
    if (!body) return null;
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as T;
  }

  const putJson = (k: string, value: unknown) => client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: `${JSON.stringify(value)}\n`, ContentType: "application/json" }));

  return {
    name: `s3://${bucket}/${prefix}`,
    async writeSegment(manifest: ManifestDocument, source: SegmentSource) {
      const base = segmentBaseName(manifest.segment);
      const { size } = await stat(source.gzipFile);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(`${base}.ndjson.gz`), Body: createReadStream(source.gzipFile), ContentLength: size, ContentType: "application/gzip" }));
      await putJson(key(`${base}.manifest.json`), manifest);
    },
    async listManifests() {
      const keys = (await listKeys("segments/")).filter((k) => k.endsWith(".manifest.json"));
      const manifests = await Promise.all(keys.map((k) => getJson<ManifestDocument>(k)));
      return manifests.filter((m): m is ManifestDocument => m !== null).sort((a, b) => a.segment - b.segment);
    },
    async *readSegment(manifest: ManifestDocument) {
      const body = await getObject(key(`${segmentBaseName(manifest.segment)}.ndjson.gz`));
      if (body) yield* gzipNdjsonRows(body);
    },
    async writeCheckpoint(checkpoint: CheckpointDocument) {
      await putJson(key(checkpointName(checkpoint.seq)), checkpoint);
    },
    async latestCheckpoint() {
      const last = (await listKeys("checkpoints/")).filter((k) => k.endsWith(".json")).at(-1);
      return last ? getJson<CheckpointDocument>(last) : null;
    },
    close: async () => client.destroy(),
  };
}
