import type { ArchivedRow } from "@/server/adapters/audit-archive/types";
import { writeCheckpoint, type Checkpoint } from "@/server/core/audit/checkpoint";
import { openAuditLifecycle, type AuditLifecycle } from "@/server/core/audit/lifecycle";
import { manifestOf, rotateSegments, sealSegments, type RotateResult, type SealResult } from "@/server/core/audit/seal";
import { auditRows } from "@/server/core/audit/rows";
import { verifyAudit, type LifecycleVerifyResult } from "@/server/core/audit/verify";
import type { Deps } from "@/server/deps";

/** Runs `fn` with the signing key and archive sinks of this deployment, closing the sinks after. */
export async function withAuditLifecycle<T>(deps: Pick<Deps, "env">, fn: (life: AuditLifecycle) => Promise<T>): Promise<T> {
  const life = openAuditLifecycle(deps.env);
  try {
    return await fn(life);
  } finally {
    await life.close();
  }
}

export function verifyAuditLog(deps: Deps, opts: { archive?: boolean } = {}): Promise<LifecycleVerifyResult> {
  return withAuditLifecycle(deps, (life) => verifyAudit(deps.database, life, opts));
}

export interface SealRunSummary {
  sealed: { segment: number; firstSeq: number; lastSeq: number; count: number }[];
  archived: number[];
  sinks: string[];
  checkpointSeq: number | null;
  rotation: RotateResult;
}

/** Seals the complete windows, archives them to every sink, then rotates what is past retention. */
export function sealAndRotate(deps: Deps, opts: { now?: Date; signal?: AbortSignal; log?: (m: string) => void } = {}): Promise<SealRunSummary> {
  return withAuditLifecycle(deps, async (life) => {
    const seal: SealResult = await sealSegments(deps, life, opts);
    const rotation = await rotateSegments(deps, life, opts);
    if (rotation.rowsDropped) opts.log?.(`rotated segments through ${rotation.throughSegment}: ${rotation.rowsDropped} rows dropped from the database`);
    return {
      sealed: seal.sealed.map((m) => ({ segment: m.segment, firstSeq: m.firstSeq, lastSeq: m.lastSeq, count: m.count })),
      archived: seal.archived,
      sinks: life.sinks.map((s) => s.name),
      checkpointSeq: seal.checkpoint?.seq ?? null,
      rotation,
    };
  });
}

export function checkpointAuditHead(deps: Deps): Promise<Checkpoint | null> {
  return withAuditLifecycle(deps, (life) => writeCheckpoint(deps.db, life.signer, life.sinks));
}

/**
 * Audit events stamped in [since, until), in sequence order: rotated segments read back from the
 * primary archive, then the rows still in the database. Streams; nothing is held whole.
 */
export async function* exportAuditEvents(deps: Deps, life: AuditLifecycle, range: { since?: Date; until?: Date }): AsyncIterable<ArchivedRow> {
  const since = range.since?.getTime() ?? -Infinity;
  const until = range.until?.getTime() ?? Infinity;
  const inRange = (at: unknown) => {
    const t = new Date(String(at)).getTime();
    return t >= since && t < until;
  };
  const rotated = await deps.db.auditSegment.findMany({ where: { rotatedAt: { not: null } }, orderBy: { segment: "asc" } });
  let liveFrom = 1;
  const sink = life.sinks[0];
  for (const row of rotated) {
    const m = manifestOf(row);
    liveFrom = m.lastSeq + 1;
    if (!sink || new Date(m.lastAt).getTime() < since - 60_000 || new Date(m.firstAt).getTime() >= until + 60_000) continue;
    for await (const event of sink.readSegment({ ...m })) if (inRange(event.at)) yield event;
  }
  for await (const event of auditRows(deps.database, liveFrom)) if (inRange(event.at)) yield { ...event };
}
