import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3 } from "../../../../tests/support/s3";
import { folderArchive } from "./folder";
import { createArchiveSinks } from "./index";
import { MONGO_BATCH, mongoArchive } from "./mongo";
import { s3Archive } from "./s3";
import type { ArchivedRow, AuditArchiveSink, ManifestDocument, SegmentSource } from "./types";

const rowsOf = (first: number, last: number): ArchivedRow[] =>
  Array.from({ length: last - first + 1 }, (_, i) => ({ seq: first + i, hash: `h${first + i}`, action: "test.row", input: { n: first + i, text: "é\u0000✓" } }));

async function collect(rows: AsyncIterable<ArchivedRow>): Promise<ArchivedRow[]> {
  const out: ArchivedRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

let scratch: string;
async function segmentSource(rows: ArchivedRow[], opts: { failAfter?: number; calls?: number[] } = {}): Promise<SegmentSource> {
  const gzipFile = path.join(scratch, `seg-${rows[0]!.seq}-${Math.random()}.ndjson.gz`);
  await pipeline(Readable.from(rows.map((r) => `${JSON.stringify(r)}\n`)), createGzip(), createWriteStream(gzipFile));
  return {
    gzipFile,
    async *rows(fromSeq: number) {
      opts.calls?.push(fromSeq);
      let n = 0;
      for (const r of rows) {
        if (r.seq < fromSeq) continue;
        if (opts.failAfter !== undefined && n++ >= opts.failAfter) throw new Error("interrupted");
        yield r;
      }
    },
  };
}

const manifest = (segment: number, firstSeq: number, lastSeq: number): ManifestDocument => ({ segment, firstSeq, lastSeq, headHash: `h${lastSeq}`, signature: "sig" });

/** The one contract every archive sink meets. */
function sinkContract(name: string, open: () => Promise<{ sink: AuditArchiveSink; done: () => Promise<void> }>) {
  describe(`audit archive sink: ${name}`, () => {
    let sink: AuditArchiveSink;
    let done: () => Promise<void>;
    beforeAll(async () => {
      ({ sink, done } = await open());
    });
    afterAll(async () => {
      await sink.close();
      await done();
    });

    it("starts empty", async () => {
      expect(await sink.listManifests()).toEqual([]);
      expect(await sink.latestCheckpoint()).toBeNull();
      expect(await collect(sink.readSegment(manifest(1, 1, 10)))).toEqual([]);
    });

    it("keeps segments with their manifests, listed in segment order, rows in sequence order", async () => {
      await sink.writeSegment(manifest(2, 11, 2_600), await segmentSource(rowsOf(11, 2_600)));
      await sink.writeSegment(manifest(1, 1, 10), await segmentSource(rowsOf(1, 10)));
      expect((await sink.listManifests()).map((m) => [m.segment, m.firstSeq, m.lastSeq, m.headHash])).toEqual([
        [1, 1, 10, "h10"],
        [2, 11, 2_600, "h2600"],
      ]);
      expect(await collect(sink.readSegment(manifest(1, 1, 10)))).toEqual(rowsOf(1, 10));
      const second = await collect(sink.readSegment(manifest(2, 11, 2_600)));
      expect(second.map((r) => r.seq)).toEqual(rowsOf(11, 2_600).map((r) => r.seq));
      expect(second[5]).toEqual(rowsOf(16, 16)[0]);
    });

    it("writing a segment again changes nothing (idempotent by sequence number)", async () => {
      await sink.writeSegment(manifest(1, 1, 10), await segmentSource(rowsOf(1, 10)));
      expect((await sink.listManifests()).map((m) => m.segment)).toEqual([1, 2]);
      expect(await collect(sink.readSegment(manifest(1, 1, 10)))).toEqual(rowsOf(1, 10));
    });

    it("a write interrupted midway is completed by the next one, each event once", async () => {
      const rows = rowsOf(2_601, 2_601 + MONGO_BATCH + 500);
      const m = manifest(3, 2_601, rows.at(-1)!.seq);
      const calls: number[] = [];
      await sink.writeSegment(m, await segmentSource(rows, { failAfter: MONGO_BATCH + 200, calls })).catch(() => {});
      await sink.writeSegment(m, await segmentSource(rows, { calls }));
      const read = await collect(sink.readSegment(m));
      expect(read.map((r) => r.seq)).toEqual(rows.map((r) => r.seq));
      // the mirror reads rows from the database and resumes after the last batch it stored
      if (sink.name === "mongo") expect(calls).toEqual([2_601, 2_601 + MONGO_BATCH]);
    });

    it("the latest checkpoint is the one of the highest sequence number", async () => {
      for (const seq of [5, 120, 9]) await sink.writeCheckpoint({ seq, hash: `h${seq}`, signature: "s" });
      expect(await sink.latestCheckpoint()).toMatchObject({ seq: 120, hash: "h120" });
    });
  });
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "audit-sink-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

sinkContract("local folder", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "audit-archive-"));
  return { sink: folderArchive(dir), done: () => rm(dir, { recursive: true, force: true }) };
});

sinkContract("S3-compatible (s3rver)", async () => {
  const s3 = await startS3();
  return { sink: s3Archive({ url: `s3://${s3.bucket}/orchestrator/audit`, endpoint: s3.endpoint, credentials: s3.credentials }), done: s3.stop };
});

// the same sink as a deployment configures it: AUDIT_ARCHIVE_URL, credentials from the AWS SDK's variables, the SDK loaded on first use
sinkContract("S3-compatible (s3rver), from AUDIT_ARCHIVE_URL", async () => {
  const s3 = await startS3();
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  const [sink, ...others] = createArchiveSinks({ dataDir: scratch, AUDIT_ARCHIVE_URL: `s3://${s3.bucket}/from-env/`, AUDIT_ARCHIVE_S3_ENDPOINT: s3.endpoint });
  expect(others).toEqual([]);
  expect(sink!.name).toBe(`s3://${s3.bucket}/from-env/`);
  return {
    sink: sink!,
    done: async () => {
      await s3.stop();
      for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id] as const, ["AWS_SECRET_ACCESS_KEY", saved.secret] as const]) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
});

// No MongoDB server can be installed on these machines: the mirror runs this contract where TEST_MONGO_URL names one.
const mongoUrl = process.env.TEST_MONGO_URL;
if (mongoUrl) {
  sinkContract("Mongo mirror", async () => {
    const database = `test_audit_${Date.now()}`;
    return {
      sink: mongoArchive(mongoUrl, { database }),
      done: async () => {
        const { MongoClient } = await import("mongodb");
        const client = new MongoClient(mongoUrl);
        await client.db(database).dropDatabase();
        await client.close();
      },
    };
  });
} else {
  describe.skip("audit archive sink: Mongo mirror (set TEST_MONGO_URL to a MongoDB server)", () => {
    it("runs the sink contract", () => {});
  });
}
