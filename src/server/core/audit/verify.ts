import type { Database, Db } from "@/server/adapters/db";
import type { ArchivedRow } from "@/server/adapters/audit-archive/types";
import { chainHash, GENESIS_HASH, type ChainedContent } from "./chain";
import { checkpointProblem, latestCheckpoint } from "./checkpoint";
import type { AuditLifecycle } from "./lifecycle";
import { chainIdOf, shortChainId } from "./identity";
import { contentFromRow } from "./log";
import { verifyManifestChain, type ChainProblem, type SignedManifest } from "./manifest";
import { auditRows } from "./rows";

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first sequence number whose row, link or numbering is wrong. */
  firstBadSeq: number | null;
  reason: string | null;
  headHash: string | null;
}

export interface LifecycleVerifyResult extends VerifyResult {
  /** Where the live chain starts (after the rotated segments). */
  liveFromSeq: number;
  /** Sealed segments whose manifests were checked. */
  segments: number;
  /** The newest signed checkpoint compared with the live chain. */
  checkpointSeq: number | null;
  /** Archived rows checked against their manifests (with the archive check only). */
  archivedChecked: number;
}

const PAGE = 1_000;

/** Walks the whole chain from the genesis: numbering, links and each row's hash. */
export async function verifyChain(db: Db): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  for (;;) {
    const rows = await db.auditEvent.findMany({ where: { seq: { gte: BigInt(expected) } }, orderBy: { seq: "asc" }, take: PAGE });
    for (const r of rows) {
      const seq = Number(r.seq);
      const bad = (reason: string): VerifyResult => ({ ok: false, checked, firstBadSeq: seq === expected ? seq : expected, reason, headHash: null });
      if (seq !== expected) return bad(`sequence gap: expected ${expected}, found ${seq}`);
      if (r.prevHash !== prev) return bad("link broken: prev_hash does not match the previous row's hash");
      if (chainHash(r.prevHash, contentFromRow(r)) !== r.hash) return bad("row altered: its hash does not match its content");
      prev = r.hash;
      expected++;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  return { ok: true, checked, firstBadSeq: null, reason: null, headHash: checked ? prev : null };
}

type Linked = ChainedContent & { seq: number; prevHash: string; hash: string };

/** Checks rows in order from `firstSeq`, linked from `prevHash`; calls `atRow` after each good row (it may report a problem). */
async function walk(
  rows: AsyncIterable<Linked>,
  firstSeq: number,
  prevHash: string,
  atRow: (row: Linked) => ChainProblem | null,
): Promise<{ problem: ChainProblem | null; checked: number; last: Linked | null }> {
  let expected = firstSeq;
  let prev = prevHash;
  let checked = 0;
  let last: Linked | null = null;
  for await (const row of rows) {
    if (row.seq !== expected) return { problem: { firstBadSeq: expected, reason: `sequence gap: expected ${expected}, found ${row.seq}` }, checked, last };
    if (row.prevHash !== prev) return { problem: { firstBadSeq: row.seq, reason: "link broken: prev_hash does not match the previous row's hash" }, checked, last };
    if (chainHash(row.prevHash, row) !== row.hash) return { problem: { firstBadSeq: row.seq, reason: "row altered: its hash does not match its content" }, checked, last };
    const problem = atRow(row);
    if (problem) return { problem, checked, last };
    prev = row.hash;
    expected++;
    checked++;
    last = row;
  }
  return { problem: null, checked, last };
}

/** The first sequence number where two row streams of one segment differ (for a recomputed chain). */
async function firstDifference(a: AsyncIterable<Linked>, b: AsyncIterable<ArchivedRow>): Promise<number | null> {
  const left = a[Symbol.asyncIterator]();
  const right = b[Symbol.asyncIterator]();
  for (;;) {
    const [x, y] = await Promise.all([left.next(), right.next()]);
    if (x.done || y.done) return x.done && y.done ? null : ((x.value ?? y.value) as { seq: number }).seq;
    if (x.value.hash !== (y.value as unknown as Linked).hash) return x.value.seq;
  }
}

/** A segment whose rows link up but whose head is not the one its manifest signed: the chain was recomputed. */
const recomputed = (m: SignedManifest): ChainProblem => ({ firstBadSeq: m.firstSeq, reason: `segment ${m.segment}: the live rows were recomputed, their head differs from the signed manifest` });

/** A sealed segment still in the database, against its signed manifest: every row numbered, linked and hashed. */
async function walkSealed(database: Database, m: SignedManifest): Promise<ChainProblem | null> {
  const { problem, last } = await walk(auditRows(database, m.firstSeq, m.lastSeq), m.firstSeq, m.firstPrevHash, () => null);
  if (problem) return problem;
  if (!last || last.seq !== m.lastSeq)
    return { firstBadSeq: last ? last.seq + 1 : m.firstSeq, reason: `sequence gap: segment ${m.segment} ends at ${last?.seq ?? "nothing"}, sealed through ${m.lastSeq}` };
  return last.hash === m.headHash ? null : recomputed(m);
}

/**
 * A sealed segment still in the database, by what its signed manifest fixes: its row count, its first
 * row's link and its last row's hash (three index lookups). A removed row or a recomputed chain shows
 * here; the rows' own hashes are the archive check's (a row edited in place also fails there).
 */
async function sealedBoundaries(database: Database, m: SignedManifest): Promise<ChainProblem | null> {
  const prisma = database.prisma;
  const [count, first, last] = await Promise.all([
    prisma.auditEvent.count({ where: { seq: { gte: BigInt(m.firstSeq), lte: BigInt(m.lastSeq) } } }),
    prisma.auditEvent.findUnique({ where: { seq: BigInt(m.firstSeq) }, select: { prevHash: true } }),
    prisma.auditEvent.findUnique({ where: { seq: BigInt(m.lastSeq) }, select: { hash: true } }),
  ]);
  // a missing row: the walk names the first one
  if (count !== m.count || !first || !last) return walkSealed(database, m);
  if (first.prevHash !== m.firstPrevHash) return { firstBadSeq: m.firstSeq, reason: "link broken: prev_hash does not match the previous row's hash" };
  return last.hash === m.headHash ? null : recomputed(m);
}

/**
 * Verifies the audit log across rotation: the chain of sealed manifests and their signatures; the
 * live chain from where rotation left it (its first row links to the last rotated head), each sealed
 * head matching its signed manifest; the live chain still reaching the newest signed checkpoint
 * (a removed tail); and with `archive`, the primary sink's manifests equal to the database's and every
 * archived segment's rows against its manifest.
 */
export async function verifyAudit(database: Database, life: AuditLifecycle, opts: { archive?: boolean } = {}): Promise<LifecycleVerifyResult> {
  const prisma = database.prisma;
  const segmentRows = await prisma.auditSegment.findMany({ orderBy: { segment: "asc" } });
  const manifests = segmentRows.map((r) => r.manifest as unknown as SignedManifest);
  const sink = life.sinks[0];
  let checked = 0;
  let archivedChecked = 0;
  const rotated = segmentRows.filter((r) => r.rotatedAt !== null).at(-1);
  const liveFromSeq = rotated ? Number(rotated.lastSeq) + 1 : 1;
  let checkpointSeq: number | null = null;
  const done = (problem: ChainProblem | null, headHash: string | null): LifecycleVerifyResult => ({
    ok: problem === null,
    checked,
    firstBadSeq: problem?.firstBadSeq ?? null,
    reason: problem?.reason ?? null,
    headHash: problem ? null : headHash,
    liveFromSeq,
    segments: manifests.length,
    checkpointSeq,
    archivedChecked,
  });

  const chainId = await chainIdOf(prisma);
  const otherChain = (id: string | undefined): string | null =>
    id !== undefined && chainId !== null && id !== chainId ? `another chain (${shortChainId(id)}), not this log's (${shortChainId(chainId)})` : null;
  const manifestProblem = manifests.length ? verifyManifestChain(manifests, life.keys, chainId) : null;
  if (manifestProblem) return done(manifestProblem, null);
  for (const [i, r] of segmentRows.entries()) {
    const m = manifests[i]!;
    if (Number(r.firstSeq) !== m.firstSeq || Number(r.lastSeq) !== m.lastSeq || r.headHash !== m.headHash || r.manifestHash !== m.manifestHash || r.signature !== m.signature) {
      return done({ firstBadSeq: m.firstSeq, reason: `segment ${m.segment}: its columns disagree with its signed manifest` }, null);
    }
  }

  if (opts.archive && sink) {
    const archived = new Map((await sink.listManifests()).map((m) => [m.segment, m as unknown as SignedManifest]));
    for (const m of manifests) {
      const a = archived.get(m.segment);
      if (!a) return done({ firstBadSeq: m.firstSeq, reason: `segment ${m.segment}: its manifest is missing from the archive (${sink.name})` }, null);
      const foreign = otherChain(a.chainId);
      if (foreign) return done({ firstBadSeq: m.firstSeq, reason: `segment ${m.segment}: the archived manifest belongs to ${foreign}` }, null);
      if (a.manifestHash !== m.manifestHash || a.signature !== m.signature)
        return done({ firstBadSeq: m.firstSeq, reason: `segment ${m.segment}: the archived manifest differs from the sealed one` }, null);
      archived.delete(m.segment);
    }
    const extra = [...archived.values()][0];
    if (extra) {
      const foreign = otherChain(extra.chainId);
      return done(
        { firstBadSeq: extra.firstSeq, reason: `segment ${extra.segment}: ${foreign ? `the archived manifest belongs to ${foreign}` : "archived but its manifest is missing from the database"}` },
        null,
      );
    }
    for (const m of manifests) {
      let count = 0;
      const { problem, last } = await walk(sink.readSegment({ ...m }) as AsyncIterable<Linked>, m.firstSeq, m.firstPrevHash, () =>
        ++count > m.count ? { firstBadSeq: m.lastSeq + 1, reason: "more rows than its manifest" } : null,
      );
      archivedChecked += count;
      if (problem) return done({ ...problem, reason: `archive, segment ${m.segment}: ${problem.reason}` }, null);
      if (!last || last.seq !== m.lastSeq)
        return done({ firstBadSeq: last ? last.seq + 1 : m.firstSeq, reason: `archive, segment ${m.segment}: rows missing (expected ${m.firstSeq}..${m.lastSeq})` }, null);
      if (last.hash !== m.headHash) {
        const differs = await firstDifference(auditRows(database, m.firstSeq, m.lastSeq), sink.readSegment({ ...m }));
        return done({ firstBadSeq: differs ?? m.firstSeq, reason: `archive, segment ${m.segment}: rows recomputed, its head differs from the signed manifest` }, null);
      }
    }
  }

  // Sealed segments still in the database: their signed manifests anchor them, so each is checked by its
  // boundaries and row count (index lookups) instead of re-hashing its rows; with `archive`, walked in full.
  // The rows after the last sealed head are walked and hashed: O(rows since the last seal), not O(table).
  const live = manifests.filter((m) => m.lastSeq >= liveFromSeq);
  const firstLive = await prisma.auditEvent.findFirst({ orderBy: { seq: "asc" }, select: { seq: true } });
  if (firstLive && Number(firstLive.seq) > liveFromSeq) return done({ firstBadSeq: liveFromSeq, reason: `rows ${liveFromSeq}..${Number(firstLive.seq) - 1} are missing but were never rotated` }, null);
  const startHash = rotated ? rotated.headHash : GENESIS_HASH;
  const located = async (problem: ChainProblem): Promise<LifecycleVerifyResult> => {
    const m = live.find((s) => s.firstSeq <= problem.firstBadSeq && problem.firstBadSeq <= s.lastSeq);
    if (opts.archive && sink && m && problem.reason.includes("recomputed")) {
      const differs = await firstDifference(auditRows(database, m.firstSeq, m.lastSeq), sink.readSegment({ ...m }));
      if (differs !== null) return done({ ...problem, firstBadSeq: differs }, null);
    }
    return done(problem, null);
  };
  for (const m of live) {
    const problem = opts.archive ? await walkSealed(database, m) : await sealedBoundaries(database, m);
    if (problem) return located(problem);
    checked += opts.archive ? m.count : 0;
  }
  const sealedLive = live.at(-1);
  const walkFrom = sealedLive ? sealedLive.lastSeq + 1 : liveFromSeq;
  const { problem, checked: tailChecked, last } = await walk(auditRows(database, walkFrom), walkFrom, sealedLive ? sealedLive.headHash : startHash, () => null);
  checked += tailChecked;
  if (problem) return located(problem);
  const sealedHead = manifests.at(-1);
  const headSeq = last?.seq ?? walkFrom - 1;
  if (sealedHead && headSeq < sealedHead.lastSeq)
    return done({ firstBadSeq: headSeq + 1, reason: `tail removed: the chain ends at ${headSeq}, segment ${sealedHead.segment} was sealed through ${sealedHead.lastSeq}` }, null);

  const cp = await latestCheckpoint(prisma, life.sinks);
  if (cp) {
    checkpointSeq = cp.seq;
    const signature = checkpointProblem(cp, life.keys);
    if (signature) return done({ firstBadSeq: cp.seq, reason: `checkpoint at ${cp.seq}: ${signature}` }, null);
    // before the tail check: another database's checkpoint (an archive shared with it) reaches anywhere
    const foreign = otherChain(cp.chainId);
    if (foreign)
      return done(
        { firstBadSeq: cp.seq, reason: `checkpoint at ${cp.seq} belongs to ${foreign}: another database's (an archive shared with it?), or this log was recomputed from its first event` },
        null,
      );
    if (headSeq < cp.seq) return done({ firstBadSeq: headSeq + 1, reason: `tail removed: the chain ends at ${headSeq}, the signed checkpoint reaches ${cp.seq}` }, null);
    if (cp.seq >= liveFromSeq) {
      const at = await prisma.auditEvent.findUnique({ where: { seq: BigInt(cp.seq) }, select: { hash: true } });
      if (at && at.hash !== cp.hash) {
        const from = (manifests.filter((m) => m.lastSeq < cp.seq).at(-1)?.lastSeq ?? liveFromSeq - 1) + 1;
        return done({ firstBadSeq: Math.max(from, liveFromSeq), reason: `the live rows were recomputed: the row at ${cp.seq} differs from the signed checkpoint` }, null);
      }
    }
  }
  return done(null, last?.hash ?? sealedLive?.headHash ?? (rotated ? startHash : null));
}
