import type { Db, Tx } from "@/server/adapters/db";
import type { SqlRunner } from "@/server/adapters/db/sql";
import type { AuditEvent } from "@/generated/prisma/client";
import type { Actor, ActorType } from "../auth/actor";
import { GroupCommit } from "../group-commit";
import { canonicalContent, type ChainedContent } from "./chain";
import { auditInput, auditText, redact } from "./redact";

/** Resource types audit events may name; features add theirs here. */
export const RESOURCE_TYPES = [
  "api",
  "auth",
  "api_key",
  "api_client",
  "user",
  "audit",
  "status",
  "system",
  "intent",
  "policy",
  "context",
  "connection",
  "hosting",
  "metrics",
  "repo",
  "github",
  "suggestion",
  "job",
  "notification",
] as const;
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

const textOrNull = (s: string | null | undefined) => (s == null ? null : auditText(s));

/**
 * The row as it is hashed and stored. Every string goes through auditText (input and detail through
 * redact, which applies it), so no text a caller sent can make canonical JSON or Postgres refuse the row.
 */
export function contentOf(e: AuditEventInput): ChainedContent {
  return {
    at: (e.at ?? new Date()).toISOString(),
    actorType: e.actorType,
    actorId: auditText(e.actorId),
    clientId: textOrNull(e.clientId),
    action: auditText(e.action),
    resourceType: e.resourceType,
    target: textOrNull(e.target),
    outcome: e.outcome,
    status: e.status,
    latencyMs: e.latencyMs == null ? null : Math.round(e.latencyMs),
    requestId: auditText(e.requestId),
    surface: e.surface,
    ip: textOrNull(e.ip),
    input: auditInput(e.input),
    detail: e.detail === undefined ? null : redact(e.detail),
  };
}

export function contentFromRow(r: AuditEvent): ChainedContent {
  return {
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
  };
}

export type AuditRecord = ChainedContent & { seq: number; prevHash: string; hash: string };

const APPEND_SQL = "SELECT * FROM audit_append($1::jsonb)";
type Linked = { o_seq: bigint | string; o_prev_hash: string; o_hash: string };

/**
 * Appends events in one round trip (the `audit_append` SQL function links and hashes them under
 * the chain lock), through Prisma — inside a transaction the lock is held until it commits — or a
 * plain SQL runner for standalone batches.
 */
async function append(db: Db | Tx | SqlRunner, events: AuditEventInput[]): Promise<AuditRecord[]> {
  const contents = events.map(contentOf);
  // each event once, as the canonical JSON that is hashed; the function reads the columns from it
  const payload = JSON.stringify(contents.map(canonicalContent));
  const linked = "$queryRawUnsafe" in db ? await db.$queryRawUnsafe<Linked[]>(APPEND_SQL, payload) : await db.query<Linked>(APPEND_SQL, [payload]);
  return contents.map((c, i) => ({ ...c, seq: Number(linked[i]!.o_seq), prevHash: linked[i]!.o_prev_hash, hash: linked[i]!.o_hash }));
}

/**
 * The audit log. `transact` commits a change and its events together; `record`
 * appends a standalone event with group commit: concurrent callers share one statement (its own
 * transaction), each resolved only once its event is durable.
 */
export class AuditLog {
  private readonly group: GroupCommit<AuditEventInput, AuditRecord>;

  constructor(
    private readonly db: Db,
    /** Runs standalone appends when given (Database.sql); Prisma otherwise. */
    private readonly sql?: SqlRunner,
  ) {
    // one statement and one commit for the events that arrive together (a batch of one costs Postgres as much as five)
    this.group = new GroupCommit((events) => append(this.sql ?? this.db, events));
  }

  async transact<T>(fn: (tx: Tx, audit: (e: AuditEventInput) => Promise<AuditRecord>) => Promise<T>): Promise<T> {
    return this.db.$transaction(async (tx) =>
      fn(tx, async (e) => {
        const [row] = await append(tx, [e]);
        return row!;
      }),
    );
  }

  record(event: AuditEventInput): Promise<AuditRecord> {
    return this.group.add(event);
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
