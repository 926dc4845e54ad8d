import { MongoClient, type AnyBulkWriteOperation, type Collection } from "mongodb";
import type { ArchivedRow, AuditArchiveSink, CheckpointDocument, ManifestDocument, SegmentSource } from "./types";

type Keyed<T> = Omit<T, "_id"> & { _id: number };

/** Events per bulk write: large enough to amortize the round trip, small enough for Mongo's 16 MB batches. */
export const MONGO_BATCH = 1_000;

/**
 * The Mongo mirror (MONGO_URI): one document per event keyed by its sequence number, so a
 * re-run rewrites the same documents (idempotent) and a segment interrupted midway resumes after
 * the last event mirrored. Manifests and checkpoints go to collections of their own.
 */
export function mongoArchive(uri: string, opts: { database?: string } = {}): AuditArchiveSink {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  const db = client.db(opts.database);
  const events = db.collection<Keyed<ArchivedRow>>("audit_events");
  const manifests = db.collection<Keyed<ManifestDocument>>("audit_manifests");
  const checkpoints = db.collection<Keyed<CheckpointDocument>>("audit_checkpoints");

  const strip = <T>(doc: Keyed<T> | null): T | null => {
    if (!doc) return null;
    const { _id, ...rest } = doc;
    void _id;
    return rest as T;
  };

  async function lastMirrored(from: number, to: number): Promise<number | null> {
    const last = await events
      .find({ _id: { $gte: from, $lte: to } }, { projection: { _id: 1 } })
      .sort({ _id: -1 })
      .limit(1)
      .next();
    return last?._id ?? null;
  }

  async function flush(collection: Collection<Keyed<ArchivedRow>>, batch: ArchivedRow[]) {
    if (batch.length === 0) return;
    const ops: AnyBulkWriteOperation<Keyed<ArchivedRow>>[] = batch.map((row) => ({ replaceOne: { filter: { _id: row.seq }, replacement: { ...row, _id: row.seq }, upsert: true } }));
    await collection.bulkWrite(ops, { ordered: true });
  }

  return {
    name: "mongo",
    async writeSegment(manifest: ManifestDocument, source: SegmentSource) {
      // ordered writes: every event up to the last mirrored one is there, so resume right after it
      const done = await lastMirrored(manifest.firstSeq, manifest.lastSeq);
      if (done === null || done < manifest.lastSeq) {
        let batch: ArchivedRow[] = [];
        for await (const row of source.rows(done === null ? manifest.firstSeq : done + 1)) {
          batch.push(row);
          if (batch.length >= MONGO_BATCH) {
            await flush(events, batch);
            batch = [];
          }
        }
        await flush(events, batch);
      }
      await manifests.replaceOne({ _id: manifest.segment }, { ...manifest, _id: manifest.segment }, { upsert: true });
    },
    async listManifests() {
      const docs = await manifests.find({}).sort({ _id: 1 }).toArray();
      return docs.map((d) => strip<ManifestDocument>(d)!);
    },
    async *readSegment(manifest: ManifestDocument) {
      const cursor = events
        .find({ _id: { $gte: manifest.firstSeq, $lte: manifest.lastSeq } })
        .sort({ _id: 1 })
        .batchSize(MONGO_BATCH);
      for await (const doc of cursor) yield strip<ArchivedRow>(doc)!;
    },
    async writeCheckpoint(checkpoint: CheckpointDocument) {
      await checkpoints.replaceOne({ _id: checkpoint.seq }, { ...checkpoint, _id: checkpoint.seq }, { upsert: true });
    },
    async latestCheckpoint() {
      return strip<CheckpointDocument>(await checkpoints.find({}).sort({ _id: -1 }).limit(1).next());
    },
    close: () => client.close(),
  };
}
