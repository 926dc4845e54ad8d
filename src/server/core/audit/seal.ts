import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { ArchivedRow, ManifestDocument } from "@/server/adapters/audit-archive/types";
import type { Database } from "@/server/adapters/db";
import type { AuditSegment } from "@/generated/prisma/client";
import { systemActor } from "../auth/actor";
import { GENESIS_HASH } from "./chain";
import { writeCheckpoint, type Checkpoint } from "./checkpoint";
import { chainIdOf } from "./identity";
import type { AuditLifecycle } from "./lifecycle";
import { eventFor, type AuditLog, type AuditRecord } from "./log";
import { signManifest, type SegmentManifest, type SignedManifest } from "./manifest";
import { auditRows } from "./rows";

const DAY_MS = 86_400_000;
/** A window is sealed only once it ended this long ago: events stamped just before its end may still be committing. */
const SETTLE_MS = 5 * 60_000;

export interface SealDeps {
  database: Database;
  audit: AuditLog;
}

export interface SealResult {
  sealed: SignedManifest[];
  /** Segments written to every sink in this run (new ones and earlier ones a sink had missed). */
  archived: number[];
  checkpoint: Checkpoint | null;
}

export const manifestOf = (row: AuditSegment): SignedManifest => row.manifest as unknown as SignedManifest;

class ChainBroken extends Error {}

/** NDJSON lines per chunk handed to gzip (≈ 60 KB). */
const LINES_PER_CHUNK = 100;

/**
 * Streams rows firstSeq..lastSeq into a gzip NDJSON file, checking numbering and links on the way.
 * Row hashes are not recomputed here (45 µs a row, most of a seal's time): a row edited in place
 * keeps failing its own hash in the live chain and in the archive, sealed or not, and a chain
 * recomputed before sealing would pass a recomputation too; verify covers both.
 */
async function writeSegmentFile(database: Database, file: string, firstSeq: number, lastSeq: number, firstPrevHash: string) {
  let expected = firstSeq;
  let prev = firstPrevHash;
  let first: AuditRecord | null = null;
  let last: AuditRecord | null = null;
  async function* lines() {
    let buffer: string[] = [];
    for await (const row of auditRows(database, firstSeq, lastSeq)) {
      if (row.seq !== expected) throw new ChainBroken(`sequence gap at ${expected}`);
      if (row.prevHash !== prev) throw new ChainBroken(`row ${row.seq} does not link to the previous row`);
      first ??= row;
      last = row;
      prev = row.hash;
      expected++;
      buffer.push(JSON.stringify(row));
      if (buffer.length >= LINES_PER_CHUNK) {
        yield `${buffer.join("\n")}\n`;
        buffer = [];
      }
    }
    if (buffer.length) yield `${buffer.join("\n")}\n`;
  }
  // one chunk ahead of gzip at most (Readable.from buffers 16 by default): lines waiting are heap that outlives young GCs
  await pipeline(Readable.from(lines(), { highWaterMark: 1 }), createGzip({ level: 6 }), createWriteStream(file));
  if (expected !== lastSeq + 1 || !first || !last) throw new ChainBroken(`rows ${expected}..${lastSeq} are missing`);
  return { first: first as AuditRecord, last: last as AuditRecord };
}

async function withTempFile<T>(fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "audit-segment-"));
  try {
    return await fn(path.join(dir, "rows.ndjson.gz"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a sealed segment to every sink, then marks it archived. */
async function archiveSegment(deps: SealDeps, life: AuditLifecycle, m: SignedManifest, file: string) {
  const rows = (fromSeq: number) => auditRows(deps.database, fromSeq, m.lastSeq) as AsyncIterable<ArchivedRow>;
  for (const sink of life.sinks) await sink.writeSegment({ ...m } as ManifestDocument, { gzipFile: file, rows });
  await deps.database.prisma.auditSegment.update({ where: { segment: m.segment }, data: { archivedAt: new Date() } });
}

/** The next complete window's last sequence number, or null when the next unsealed event's window is still open. */
async function nextSegmentEnd(database: Database, fromSeq: number, segmentDays: number, now: Date): Promise<number | null> {
  const first = await database.prisma.auditEvent.findFirst({ where: { seq: { gte: BigInt(fromSeq) } }, orderBy: { seq: "asc" }, select: { at: true } });
  if (!first) return null;
  const span = segmentDays * DAY_MS;
  const windowEnd = (Math.floor(first.at.getTime() / span) + 1) * span;
  if (windowEnd > now.getTime() - SETTLE_MS) return null;
  // not Prisma's aggregate: it wraps the filter in a subquery (OFFSET) that Postgres answers by reading the whole table;
  // this reads the primary key backwards from the head, past at most the open window's rows
  const [last] = await database.prisma.$queryRawUnsafe<{ seq: bigint | null }[]>(`SELECT max("seq") AS "seq" FROM "audit_event" WHERE "seq" >= $1 AND "at" < $2`, BigInt(fromSeq), new Date(windowEnd));
  return last?.seq == null ? null : Number(last.seq);
}

/**
 * Seals every complete window (AUDIT_SEGMENT_DAYS, aligned to the Unix epoch) after the last sealed
 * segment: streams its rows into a gzip NDJSON file while checking numbering and links (a gap or a
 * broken link is never signed), signs its manifest and records it with an `audit.seal` event in one transaction,
 * then writes both to every sink. Segments a sink missed before are archived again first. Ends
 * with a signed checkpoint of the head.
 */
export async function sealSegments(deps: SealDeps, life: AuditLifecycle, opts: { now?: Date; signal?: AbortSignal; log?: (m: string) => void } = {}): Promise<SealResult> {
  const now = opts.now ?? new Date();
  const log = opts.log ?? (() => {});
  const prisma = deps.database.prisma;
  const result: SealResult = { sealed: [], archived: [], checkpoint: null };

  for (const row of await prisma.auditSegment.findMany({ where: { archivedAt: null }, orderBy: { segment: "asc" } })) {
    const m = manifestOf(row);
    await withTempFile(async (file) => {
      await writeSegmentFile(deps.database, file, m.firstSeq, m.lastSeq, m.firstPrevHash);
      await archiveSegment(deps, life, m, file);
    });
    result.archived.push(m.segment);
    log(`archived segment ${m.segment} again (${m.firstSeq}..${m.lastSeq})`);
  }

  // the first event's hash (or the first manifest's record of it): sealing does not change it
  const chainId = await chainIdOf(prisma);
  for (;;) {
    opts.signal?.throwIfAborted();
    const prevRow = await prisma.auditSegment.findFirst({ orderBy: { segment: "desc" } });
    const prev = prevRow ? manifestOf(prevRow) : null;
    const firstSeq = prev ? prev.lastSeq + 1 : 1;
    const lastSeq = await nextSegmentEnd(deps.database, firstSeq, life.segmentDays, now);
    if (lastSeq === null) break;
    const firstPrevHash = prev ? prev.headHash : GENESIS_HASH;
    const manifest = await withTempFile(async (file) => {
      const { first, last } = await writeSegmentFile(deps.database, file, firstSeq, lastSeq, firstPrevHash);
      const body: SegmentManifest = {
        version: 1,
        segment: prev ? prev.segment + 1 : 1,
        firstSeq,
        lastSeq,
        count: lastSeq - firstSeq + 1,
        firstPrevHash,
        headHash: last.hash,
        firstAt: first.at,
        lastAt: last.at,
        prevManifestHash: prev ? prev.manifestHash : null,
        sealedAt: new Date().toISOString(),
        alg: life.signer.alg,
        keyId: life.signer.keyId,
        ...(chainId ? { chainId } : {}),
      };
      const m = signManifest(body, life.signer);
      await deps.audit.transact(async (tx, audit) => {
        await tx.auditSegment.create({
          data: {
            segment: m.segment,
            firstSeq: BigInt(m.firstSeq),
            lastSeq: BigInt(m.lastSeq),
            count: m.count,
            firstAt: new Date(m.firstAt),
            lastAt: new Date(m.lastAt),
            headHash: m.headHash,
            manifestHash: m.manifestHash,
            manifest: { ...m },
            signature: m.signature,
          },
        });
        await audit(
          eventFor(
            { actor: systemActor("audit-seal"), requestId: randomUUID(), surface: "system" },
            {
              action: "audit.seal",
              resourceType: "audit",
              target: `segment:${m.segment}`,
              detail: { segment: m.segment, firstSeq, lastSeq, count: m.count, headHash: m.headHash, manifestHash: m.manifestHash, keyId: m.keyId },
            },
          ),
        );
      });
      await archiveSegment(deps, life, m, file);
      return m;
    });
    result.sealed.push(manifest);
    result.archived.push(manifest.segment);
    log(`sealed segment ${manifest.segment}: ${manifest.count} events (${firstSeq}..${lastSeq})`);
  }
  result.checkpoint = await writeCheckpoint(prisma, life.signer, life.sinks);
  return result;
}

export interface RotateResult {
  throughSegment: number | null;
  rowsDropped: number;
}

/**
 * Drops from Postgres the rows of archived segments that ended more than AUDIT_RETENTION_DAYS ago,
 * oldest first, through `audit_rotate` (the only path the append-only trigger lets a DELETE through,
 * and only for archived segments), with an `audit.rotate` event in the same transaction.
 */
export async function rotateSegments(deps: SealDeps, life: AuditLifecycle, opts: { now?: Date } = {}): Promise<RotateResult> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - life.retentionDays * DAY_MS);
  const pending = await deps.database.prisma.auditSegment.findMany({ where: { rotatedAt: null }, orderBy: { segment: "asc" } });
  let through: AuditSegment | null = null;
  for (const s of pending) {
    if (!s.archivedAt || s.lastAt >= cutoff) break;
    through = s;
  }
  if (!through) return { throughSegment: null, rowsDropped: 0 };
  const target = through;
  const dropped = await deps.audit.transact(async (tx, audit) => {
    // the event first: it takes the chain lock and becomes the head that stays in the database
    await audit(
      eventFor(
        { actor: systemActor("audit-seal"), requestId: randomUUID(), surface: "system" },
        {
          action: "audit.rotate",
          resourceType: "audit",
          target: `segment:${target.segment}`,
          detail: { throughSegment: target.segment, throughSeq: Number(target.lastSeq), retentionDays: life.retentionDays },
        },
      ),
    );
    const [row] = await tx.$queryRawUnsafe<{ dropped: bigint }[]>(`SELECT "audit_rotate"($1::INTEGER) AS dropped`, target.segment);
    return Number(row!.dropped);
  });
  return { throughSegment: target.segment, rowsDropped: dropped };
}
