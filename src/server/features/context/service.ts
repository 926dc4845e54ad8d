import { openEventStream } from "@/server/adapters/events";
import { MAX_EVENT_BYTES } from "@/server/adapters/events/types";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import { redact, setOwn } from "@/server/core/audit/redact";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import { fitToBudget } from "@/server/core/paging";
import type { Deps } from "@/server/deps";
import { DEFAULT_TTL_SECONDS, MAX_VALUE_BYTES, type ActorRef, type ContextEvent, type Entry, type GetInput, type ListInput, type PutInput } from "./schema";
import { appendChange } from "./changes";
import { announceWrite, settleLater, settleWrite } from "./journal";
import { channelOf, entryOf, indexesOf, isSessionRecord, readEntry, recordKey, scopeIndex, type StoredEntry } from "./store";

/** How much of a value the audit entry (and so the history) keeps. */
export const PREVIEW_CHARS = 2_000;

/**
 * Key prefix of the context summary's snapshots (one per view, see ScopeGuard.view): forgotten on
 * this instance by every write that changes an entry or who may read it.
 */
export const SUMMARY_SNAPSHOTS = "context:summary:";

export const targetOf = (scope: string, key: string) => `${scope}/${key}`;
const actorRef = (actor: Actor): ActorRef => ({ type: actor.type, id: actor.id });

/** The answer for an entry that is not there, or that the caller may not see (the same words: nothing leaks). */
export const missingEntry = (input: GetInput) => `No context entry "${input.key}" in scope ${input.scope} (it may have expired or been deleted).`;

export async function getEntry(kv: KeyValueStore, input: GetInput): Promise<Entry> {
  const entry = await readEntry(kv, input.scope, input.key);
  if (!entry) throw new AppError("NOT_FOUND", missingEntry(input));
  return entry;
}

/** Keys in byte order, filtered by prefix, paginated by the last key and cut to fit the response budget. */
export async function listEntries(kv: KeyValueStore, input: ListInput): Promise<{ items: Entry[]; nextCursor: string | null }> {
  const keys = await kv.indexRange(scopeIndex(input.scope), { prefix: input.prefix, after: input.cursor, limit: input.limit + 1 });
  const page = keys.slice(0, input.limit);
  const records = await kv.getVersionedMany(page.map((k) => recordKey(input.scope, k)));
  const now = Date.now();
  const entries = records.map((r, i) => entryOf(input.scope, page[i]!, r, now)).filter((e): e is Entry => e !== null);
  const { items, cut } = fitToBudget(entries);
  if (cut) return { items, nextCursor: items[items.length - 1]!.key };
  return { items, nextCursor: keys.length > input.limit ? page[page.length - 1]! : null };
}

/** The value as the audit log keeps it: redacted, whole when small, else a preview. */
function auditedValue(value: unknown): { value?: unknown; preview: string; truncated: boolean } {
  const whole = JSON.stringify(value);
  if (whole.length <= PREVIEW_CHARS) {
    const clean = redact(value);
    const text = JSON.stringify(clean);
    if (text.length <= PREVIEW_CHARS) return { value: clean, preview: text, truncated: false };
  }
  // Clip before redacting: redaction scans every string, and a preview needs only its start.
  return { preview: JSON.stringify(redact(clip(value, { left: PREVIEW_CHARS }))).slice(0, PREVIEW_CHARS), truncated: true };
}

/** The start of a JSON value: strings cut to 200 characters, and nothing after `budget` characters. */
function clip(v: unknown, budget: { left: number }): unknown {
  if (typeof v === "string") {
    const s = v.length > 200 ? `${v.slice(0, 200)}…` : v;
    budget.left -= s.length + 2;
    return s;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      if (budget.left <= 0) break;
      out.push(clip(x, budget));
    }
    return out;
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (budget.left <= 0) break;
      budget.left -= k.length + 4;
      setOwn(out, k, clip(x, budget));
    }
    return out;
  }
  budget.left -= String(v).length + 1;
  return v;
}

/**
 * Last write wins. A stale `expectedVersion` still wins but is flagged (response and audit), unless
 * `ifMatch`, which refuses it with 409. The store assigns the version atomically, so concurrent writers
 * never share a version and the one that overwrote another always knows it.
 */
export async function putEntry(deps: Deps, call: CallContext, input: PutInput): Promise<{ entry: Entry; conflict: boolean }> {
  guardFeatureRecord(input);
  const maxTtl = deps.env.CONTEXT_MAX_TTL_SECONDS;
  const ttlSeconds = input.ttlSeconds ?? Math.min(DEFAULT_TTL_SECONDS, maxTtl);
  if (ttlSeconds > maxTtl) throw new AppError("BAD_REQUEST", `ttlSeconds ${ttlSeconds} is over the maximum of ${maxTtl} (CONTEXT_MAX_TTL_SECONDS).`);
  if (input.ifMatch && input.expectedVersion === undefined) throw new AppError("BAD_REQUEST", "ifMatch needs expectedVersion: the version you last read (0 for none).");
  const bytes = Buffer.byteLength(JSON.stringify(input.value));
  if (bytes > MAX_VALUE_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `The value is ${bytes} bytes as JSON; a context value may be at most ${MAX_VALUE_BYTES} bytes (64 KB). Store less, or split it across keys.`, {
      bytes,
      limit: MAX_VALUE_BYTES,
    });
  }
  const stored = await storeEntry(deps, call, { ...input, ttlSeconds, ifVersion: input.ifMatch ? input.expectedVersion : undefined });
  if (!stored.written) {
    throw new AppError(
      "CONFLICT",
      `Version conflict on "${input.key}" in ${input.scope}: you expected version ${input.expectedVersion}, the current version is ${stored.version}. Read it again and retry.`,
      {
        expectedVersion: input.expectedVersion,
        currentVersion: stored.version,
        currentUpdatedBy: stored.previous?.updatedBy ?? null,
      },
    );
  }
  return { entry: stored.entry, conflict: stored.conflict };
}

export interface StoreInput {
  scope: string;
  key: string;
  value: Entry["value"];
  ttlSeconds: number;
  /** The version the writer last read: a different current version is a conflict (flagged, the write still wins). */
  expectedVersion?: number;
  /** Write only if the current version is this one (0: no entry); otherwise nothing is written. */
  ifVersion?: number;
}

export interface StoreRules {
  /** What the audit entry keeps of the value; by default the value redacted, whole when small. */
  audited?: (value: unknown) => Record<string, unknown>;
  /**
   * A store write that must land before the record (what the record names): sent in the same turn as
   * the record's write, ahead of it, so on Redis both leave in one socket write, in that order.
   */
  before?: () => Promise<unknown>;
}

/** A written result carries `stored`, the record as it now is in the store (its write id included). */
export type StoreResult = { written: false; version: number; previous: StoredEntry | null } | { written: true; entry: Entry; conflict: boolean; previous: StoredEntry | null; stored: StoredEntry };

/** A checked write of an entry: stored with its TTL, then audited and streamed as one change. Features that keep their records in the shared context write through it. */
export async function storeEntry(deps: Deps, call: CallContext, input: StoreInput, rules: StoreRules = {}): Promise<StoreResult> {
  const target = targetOf(input.scope, input.key);
  const bytes = Buffer.byteLength(JSON.stringify(input.value));
  const announced = { scope: input.scope, key: input.key, ttlSeconds: input.ttlSeconds, bytes, ...(rules.audited ?? auditedValue)(input.value) };
  // announced before the store is touched, so a crash between the write and its audit event leaves a trace the reconciler audits
  const writeId = await announceWrite(deps, "context.put", input.scope, input.key, eventFor(call, { action: "context.put", resourceType: "context", target, detail: announced }));
  const now = new Date();
  const stored: StoredEntry = {
    value: input.value,
    updatedBy: actorRef(call.actor),
    updatedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + input.ttlSeconds * 1000).toISOString(),
    writeId,
  };
  // A store error leaves the announcement: the write may have landed all the same (a timeout), and the reconciler can tell.
  const before = rules.before?.();
  // Redis (one connection, commands in order) and the in-process store apply it first anyway; Upstash's
  // REST calls may overtake one another, so there the record waits for it
  if (deps.kv.kind === "upstash") await before;
  const [, result] = await Promise.all([
    before,
    deps.kv.setVersioned(recordKey(input.scope, input.key), JSON.stringify(stored), {
      ttlMs: input.ttlSeconds * 1000,
      ifVersion: input.ifVersion,
      indexes: indexesOf(input.scope, input.key).put,
    }),
  ]);
  const previous = result.previous ? (JSON.parse(result.previous.value) as StoredEntry) : null;
  const previousVersion = result.previous?.version ?? 0;
  if (!result.written) {
    await settleWrite(deps, writeId); // refused by the store: nothing changed (the refusal is audited by the call's middleware)
    return { written: false, version: result.version, previous };
  }

  const conflict = input.expectedVersion !== undefined && input.expectedVersion !== previousVersion;
  const entry: Entry = { scope: input.scope, key: input.key, value: stored.value, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt, expiresAt: stored.expiresAt, version: result.version };
  deps.snapshots.invalidate(SUMMARY_SNAPSHOTS);
  const detail = {
    version: result.version,
    previousVersion: result.previous ? previousVersion : null,
    conflict,
    conflictWith: conflict ? { expectedVersion: input.expectedVersion, overwrittenVersion: previousVersion, overwrittenBy: previous?.updatedBy ?? null } : null,
    ...announced,
    writeId,
  };
  // the answer waits for the audit event and the change's number, not for the announcement's settlement
  await Promise.all([
    deps.audit.record(eventFor(call, { action: "context.put", resourceType: "context", target, detail })).then(() => settleLater(deps, writeId)),
    publish(deps, { type: "put", scope: input.scope, key: input.key, entry, at: stored.updatedAt }),
  ]);
  return { written: true, entry, conflict, previous, stored };
}

/**
 * A heartbeat: the same value written again by the same writer, at the version it was read at. The
 * entry's TTL and time move, and nothing else: there is no change to audit or stream, so nothing is
 * journaled either (no Postgres on this path). The record keeps the write id of its last real write, so
 * the journal can still tell that write landed.
 */
export async function refreshEntry(deps: Deps, call: CallContext, input: { scope: string; key: string; ttlSeconds: number; ifVersion: number }, current: StoredEntry): Promise<StoreResult> {
  const now = new Date();
  const stored: StoredEntry = { ...current, updatedBy: actorRef(call.actor), updatedAt: now.toISOString(), expiresAt: new Date(now.getTime() + input.ttlSeconds * 1000).toISOString() };
  const result = await deps.kv.setVersioned(recordKey(input.scope, input.key), JSON.stringify(stored), {
    ttlMs: input.ttlSeconds * 1000,
    ifVersion: input.ifVersion,
    indexes: indexesOf(input.scope, input.key).put,
  });
  const previous = result.previous ? (JSON.parse(result.previous.value) as StoredEntry) : null;
  if (!result.written) return { written: false, version: result.version, previous };
  const entry: Entry = { scope: input.scope, key: input.key, value: stored.value, version: result.version, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt, expiresAt: stored.expiresAt };
  return { written: true, entry, conflict: false, previous, stored };
}

/** An IDE session's own record changes only through PUT /ai/cursor/session, which checks its owner. */
function guardFeatureRecord(input: { scope: string; key: string }) {
  if (isSessionRecord(input.scope, input.key)) {
    throw new AppError("FORBIDDEN", `"${input.key}" in ${input.scope} is the IDE session itself: write it with PUT /ai/cursor/session (its owner only); other keys of the scope are free.`);
  }
}

export async function deleteEntry(deps: Deps, call: CallContext, input: GetInput): Promise<{ deleted: boolean }> {
  guardFeatureRecord(input);
  const target = targetOf(input.scope, input.key);
  const writeId = await announceWrite(
    deps,
    "context.delete",
    input.scope,
    input.key,
    eventFor(call, { action: "context.delete", resourceType: "context", target, detail: { scope: input.scope, key: input.key } }),
  );
  const previous = await deps.kv.delVersioned(recordKey(input.scope, input.key), { indexes: indexesOf(input.scope, input.key).del });
  if (previous) deps.snapshots.invalidate(SUMMARY_SNAPSHOTS);
  const at = new Date().toISOString();
  const detail = { scope: input.scope, key: input.key, deleted: previous !== null, version: previous?.version ?? null, previousVersion: previous?.version ?? null, conflict: false, writeId };
  await Promise.all([
    deps.audit.record(eventFor(call, { action: "context.delete", resourceType: "context", target, detail })).then(() => settleWrite(deps, writeId)),
    previous ? publish(deps, { type: "delete", scope: input.scope, key: input.key, at }) : undefined,
  ]);
  return { deleted: previous !== null };
}

/**
 * Records the change (numbered in its scope, for streams that resume) and fans it out to every
 * instance; a large entry travels as a reference the receivers read back.
 */
async function publish(deps: Deps, change: ContextEvent): Promise<void> {
  let event: ContextEvent = change;
  try {
    event = { ...change, seq: await appendChange(deps, change) };
  } catch (err) {
    // The write stands; a stream finds the change missing from the log and its readers re-read the scope.
    console.warn(`[context] change not recorded for streams: ${(err as Error).message}`);
  }
  const fits = !event.entry || Buffer.byteLength(JSON.stringify(event)) < MAX_EVENT_BYTES - 500;
  try {
    await deps.events.publish(channelOf(event.scope), fits ? event : { ...event, entry: undefined, version: event.entry?.version });
  } catch (err) {
    // The write stands; watchers miss one update (and catch up on their next read).
    console.warn(`[context] live update not published: ${(err as Error).message}`);
  }
}

/**
 * The scope's puts and deletes as they happen, on any instance, until `signal` aborts. Listening has
 * begun when this resolves, so a client that reads the scope after connecting misses nothing. Events
 * pass only while `visible` says the caller may read the scope.
 */
export async function watchScope(deps: Deps, scope: string, signal?: AbortSignal, visible: (change: ContextEvent) => Promise<boolean> = async () => true): Promise<AsyncGenerator<ContextEvent>> {
  const events = await openEventStream(deps.events, channelOf(scope), signal);
  async function* withEntries(): AsyncGenerator<ContextEvent> {
    for await (const raw of events) {
      const event = raw as ContextEvent;
      if (!(await visible(event))) continue;
      const entry = event.type === "put" && !event.entry ? await readEntry(deps.kv, scope, event.key).catch(() => null) : event.entry;
      yield { type: event.type, scope, key: event.key, at: event.at, ...(entry ? { entry } : {}) };
    }
  }
  return withEntries();
}
