import type { Db, Tx } from "@/server/adapters/db";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { AuditEvent } from "@/generated/prisma/client";
import type { Actor, ActorType } from "../auth/actor";
import { GENESIS_HASH, hashRow, type ChainedRow } from "./chain";
import { auditInput, redact } from "./redact";

/** Resource types audit events may name; features add theirs here. */
export const RESOURCE_TYPES = ["api", "auth", "api_key", "api_client", "user", "audit", "status", "system"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export type Surface = "rest" | "mcp" | "trpc" | "cli" | "system" | "webhook";
export type Outcome = "success" | "failure" | "denied";

export interface AuditEventInput {
  at?: Date;
  actorType: ActorType;
  actorId: string;
  clientId?: string | null;
  action: string;
  resourceType: ResourceType;
  target?: string | null;
  outcome: Outcome;
  status: number;
  latencyMs?: number | null;
  requestId: string;
  surface: Surface;
  ip?: string | null;
  input?: unknown;
  detail?: unknown;
}

export function actorFields(actor: Actor | null): Pick<AuditEventInput, "actorType" | "actorId" | "clientId"> {
  if (!actor) return { actorType: "anonymous", actorId: "anonymous", clientId: null };
  return { actorType: actor.type, actorId: actor.id, clientId: actor.type === "api_key" ? actor.clientId : null };
}

export const TAIL_KEY = "audit:tail";
const TAIL_MAX = 200;
const LOCK_SQL = "SELECT pg_advisory_xact_lock(72707370)";

function toChained(seq: number, prevHash: string, e: AuditEventInput): ChainedRow {
  return {
    seq,
    at: (e.at ?? new Date()).toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    clientId: e.clientId ?? null,
    action: e.action,
    resourceType: e.resourceType,
    target: e.target ?? null,
    outcome: e.outcome,
    status: e.status,
    latencyMs: e.latencyMs == null ? null : Math.round(e.latencyMs),
    requestId: e.requestId,
    surface: e.surface,
    ip: e.ip ?? null,
    input: auditInput(e.input),
    detail: e.detail === undefined ? null : redact(e.detail),
    prevHash,
  };
}

export function chainedFromRow(r: AuditEvent): ChainedRow {
  return {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actorType: r.actorType,
    actorId: r.actorId,
    clientId: r.clientId,
    action: r.action,
    resourceType: r.resourceType,
    target: r.target,
    outcome: r.outcome,
    status: r.status,
    latencyMs: r.latencyMs,
    requestId: r.requestId,
    surface: r.surface,
    ip: r.ip,
    input: r.input ?? null,
    detail: r.detail ?? null,
    prevHash: r.prevHash,
  };
}

export type AuditRecord = ChainedRow & { hash: string };

/** Appends events inside the caller's transaction, holding the chain lock until it commits. */
async function appendInTx(tx: Tx, events: AuditEventInput[]): Promise<AuditRecord[]> {
  await tx.$executeRawUnsafe(LOCK_SQL);
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  let seq = head ? Number(head.seq) : 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const rows: AuditRecord[] = events.map((e) => {
    const row = toChained(++seq, prev, e);
    prev = hashRow(row);
    return { ...row, hash: prev };
  });
  await tx.auditEvent.createMany({
    data: rows.map((r) => ({ ...r, seq: BigInt(r.seq), at: new Date(r.at), input: r.input as never, detail: r.detail as never })),
  });
  return rows;
}

/**
 * The audit log. `transact` commits a change and its events together (STYLE.md §9); `record`
 * appends a standalone event with group commit: concurrent callers share one transaction, each
 * resolved only once its event is durable.
 */
export class AuditLog {
  private queue: { event: AuditEventInput; resolve: (r: AuditRecord) => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly kv?: KeyValueStore,
  ) {}

  async transact<T>(fn: (tx: Tx, audit: (e: AuditEventInput) => Promise<AuditRecord>) => Promise<T>): Promise<T> {
    const written: AuditRecord[] = [];
    const result = await this.db.$transaction(async (tx) =>
      fn(tx, async (e) => {
        const [row] = await appendInTx(tx, [e]);
        written.push(row!);
        return row!;
      }),
    );
    await this.pushTail(written);
    return result;
  }

  record(event: AuditEventInput): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      try {
        const rows = await this.db.$transaction((tx) => appendInTx(tx, batch.map((b) => b.event)));
        batch.forEach((b, i) => b.resolve(rows[i]!));
        await this.pushTail(rows);
      } catch (err) {
        batch.forEach((b) => b.reject(err));
      }
    }
    this.flushing = null;
  }

  /** The hot tail for the dashboard; best effort, the database stays the record. */
  private async pushTail(rows: AuditRecord[]) {
    if (!this.kv || rows.length === 0) return;
    try {
      for (const r of rows) await this.kv.pushCapped(TAIL_KEY, JSON.stringify(r), TAIL_MAX);
    } catch (err) {
      console.warn(`[audit] tail not updated: ${(err as Error).message}`);
    }
  }

  async tail(limit = 20): Promise<AuditRecord[]> {
    if (!this.kv) return [];
    return (await this.kv.range(TAIL_KEY, 0, limit - 1)).map((s) => JSON.parse(s) as AuditRecord);
  }
}

/** Who did it, through which surface, under which request: what a service needs to audit its change. */
export interface CallContext {
  actor: Actor;
  requestId: string;
  surface: Surface;
  ip?: string | null;
}

export function eventFor(
  call: CallContext,
  fields: Pick<AuditEventInput, "action" | "resourceType"> & Partial<Pick<AuditEventInput, "target" | "input" | "detail" | "outcome" | "status">>,
): AuditEventInput {
  return {
    ...actorFields(call.actor),
    outcome: "success",
    status: 200,
    requestId: call.requestId,
    surface: call.surface,
    ip: call.ip ?? null,
    ...fields,
  };
}
