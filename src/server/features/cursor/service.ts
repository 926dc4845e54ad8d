import { hash } from "node:crypto";
import canonicalize from "canonicalize";
import type { CallContext } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import { fitToBudget } from "@/server/core/paging";
import type { Deps } from "@/server/deps";
import type { Entry } from "@/server/features/context/schema";
import { refreshEntry, storeEntry, type StoreResult } from "@/server/features/context/service";
import { entryOf, readEntry, recordKey, SCOPES_INDEX, SESSION_RECORD_KEY, type StoredEntry } from "@/server/features/context/store";
import { redactSecrets } from "@/server/features/repos/indexer/redact";
import { touchedSymbols } from "./diff";
import { MAX_DIFF_BYTES, MAX_DIFF_CHARS_RETURNED, type ChangedFile, type PutSessionInput, type SessionView } from "./schema";

/**
 * IDE sessions (Cursor and the CLI's `cursor sync`): who works on what, where. A session is the
 * shared-context entry `cursor` in the scope `session:<id>`, so it has the context's TTL, versions,
 * last-write-wins with conflict flags, audit, history and live stream. Its diff text is kept beside it
 * (`cursor:diff:<id>:<sha256>`), never in the entry, so context readers see files, stats and symbols only.
 * The client that creates a session owns it: only that client's keys may write it until it expires.
 */
export const sessionScope = (id: string) => `session:${id}`;
const diffKey = (id: string, sha: string) => `cursor:diff:${id}:${sha}`;

/** What the context entry holds. */
interface StoredSession {
  repo: string;
  branch: string | null;
  head: string | null;
  activeFile: string | null;
  selection: { startLine: number; endLine: number } | null;
  changedFiles: ChangedFile[];
  diff: { bytes: number; sha256: string; redactions: number } | null;
  owner: string;
  /** Hash of everything above but the owner: equal hashes mean a heartbeat. */
  state: string;
  changedAt: string;
}

/** The client an actor writes as: an API key's client, else the user or system id. */
export function ownerOf(actor: Actor): string {
  return actor.type === "api_key" ? actor.clientId : `${actor.type}:${actor.id}`;
}

const sha256 = (text: string) => hash("sha256", text, "hex");

interface PreparedDiff {
  text: string;
  info: NonNullable<StoredSession["diff"]>;
  symbols: Map<string, string[]>;
}

/**
 * The last diffs prepared, by the hash of the text as sent: an IDE sends the same diff with every
 * heartbeat, and redacting and chunking 200 KB of it takes 20–80 ms of CPU, hashing it under 1 ms. The
 * answer depends on the text alone, so nothing ever makes an entry wrong, and instances need not share it.
 */
const PREPARED_KEPT = 16;
const prepared = new Map<string, PreparedDiff>();

/** The diff as stored: size-checked, secrets redacted, hashed, with the symbols it touches per file. */
export function prepareDiff(diff: string | undefined): PreparedDiff | null {
  if (diff === undefined || diff === "") return null;
  const bytes = Buffer.byteLength(diff);
  if (bytes > MAX_DIFF_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `The diff is ${bytes} bytes; a session's diff may be at most ${MAX_DIFF_BYTES} bytes (256 KB). Send changed files without it, or a smaller diff.`, {
      bytes,
      limit: MAX_DIFF_BYTES,
    });
  }
  const sent = sha256(diff);
  let out = prepared.get(sent);
  if (!out) {
    const { text, redactions } = redactSecrets(diff);
    out = { text, info: { bytes: Buffer.byteLength(text), sha256: sha256(text), redactions }, symbols: touchedSymbols(text) };
  }
  keepNewest(prepared, sent, out, PREPARED_KEPT);
  return out;
}

/** Sets `key` as the map's newest entry (insertion order), dropping the oldest beyond `max`. */
function keepNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number) {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

const ATTEMPTS = 5;

/**
 * The session records this instance wrote last, per store, with how long its client's owner claim
 * surely holds. A heartbeat of a session found here is one round trip to the store instead of two: its
 * refresh leaves with the owner claim (the router's) instead of after it and the record's read. That is
 * sound while both hold:
 * - the record is still the one remembered: the refresh is a compare-and-set on its version, so a
 *   record another writer (or instance) changed is never overwritten; the push then reads and retries;
 * - the owner record still names this client, whatever the claim in flight answers: nothing but expiry
 *   removes an owner record (a claim refuses a held one, a grant's write re-sets the same owner), and the
 *   claim this instance saw succeed was sent before `claimedAt`, so it expires after `claimedAt` plus the
 *   owner TTL. That TTL is CONTEXT_MAX_TTL_SECONDS, which may be shorter than a session's: an owner record
 *   can lapse under a live session and be taken by another client, so the session's own expiry says nothing.
 */
interface Remembered {
  version: number;
  stored: StoredEntry;
  owner: string;
  /** performance.now() before which the owner record still names `owner` (a margin for timer skew taken off). */
  ownedUntil: number;
}
const REMEMBERED_KEPT = 10_000;
const OWNER_MARGIN_MS = 1_000;
const lastWritten = new WeakMap<Deps["kv"], Map<string, Remembered>>();

function remember(deps: Deps, sessionId: string, entry: Remembered) {
  let byId = lastWritten.get(deps.kv);
  if (!byId) lastWritten.set(deps.kv, (byId = new Map()));
  keepNewest(byId, sessionId, entry, REMEMBERED_KEPT);
}

/** The remembered record of a session, when its owner is surely still `owner` (see Remembered). */
function recall(deps: Deps, sessionId: string, owner: string, now: number): Remembered | null {
  const known = lastWritten.get(deps.kv)?.get(sessionId);
  return known && known.owner === owner && known.ownedUntil > now ? known : null;
}

/**
 * Stores a push or heartbeat. The owner check and the write are one compare-and-set on the entry's
 * version (retried when another push lands in between), so a foreign client can never slip a write in.
 * `ownerChecked` is the caller's check of the session scope's owner (ScopeGuard.assertWrite): the
 * record's first read goes out with it, and nothing is written before it passes, except a heartbeat of a
 * record this instance wrote while its client surely owns the scope (Remembered), whose refresh goes out
 * with the check. A heartbeat's diff text (already named by the record) is stored again with the record,
 * in the same round trip, to keep its TTL.
 */
export async function putSession(
  deps: Deps,
  call: CallContext,
  input: PutSessionInput,
  ownerChecked: Promise<string | null> = Promise.resolve(null),
): Promise<{ session: SessionView; conflict: boolean; changed: boolean }> {
  // the owner claim (if any) was sent before this: it expires no sooner than this moment plus its TTL
  const claimedAt = performance.now();
  const scope = sessionScope(input.sessionId);
  const key = recordKey(scope, SESSION_RECORD_KEY);
  const owner = ownerOf(call.actor);
  // the owner record's client once the check passed (null: the caller is no API key, which owner records do not bind)
  let holder: string | null = null;
  const readWithOwner = async () => {
    const [record, checked] = await Promise.all([deps.kv.getVersioned(key), ownerChecked]);
    holder = checked;
    return record;
  };
  // a remembered session is surely the caller's; any other: the owner is checked before the input is looked at further (403, whatever was sent)
  const known = recall(deps, input.sessionId, owner, claimedAt);
  let current = known ? null : await readWithOwner();
  const diff = prepareDiff(input.diff);
  const changedFiles = input.changedFiles.map((f) => ({ ...f, symbols: diff?.symbols.get(f.path) ?? [] }));
  const shape = { repo: input.repo, branch: input.branch, head: input.head, activeFile: input.activeFile, selection: input.selection ?? null, changedFiles, diff: diff?.info ?? null };
  const state = sha256(canonicalize(shape)!);
  const ttlSeconds = deps.env.CURSOR_SESSION_TTL_SECONDS;
  const storeDiff = () => (diff ? deps.kv.set(diffKey(input.sessionId, diff.info.sha256), diff.text, { ttlMs: ttlSeconds * 1000 }) : Promise.resolve());
  const written = (result: Extract<StoreResult, { written: true }>) => {
    // remembered only when this call's claim holds the scope for the caller (a grant's writer does not own it)
    if (holder === null || holder === owner)
      remember(deps, input.sessionId, { version: result.entry.version, stored: result.stored, owner, ownedUntil: claimedAt + deps.env.CONTEXT_MAX_TTL_SECONDS * 1000 - OWNER_MARGIN_MS });
    else lastWritten.get(deps.kv)?.delete(input.sessionId);
  };
  // a heartbeat of the remembered record goes out at once; anything else reads the record first (still in the claim's round trip: nothing was awaited yet)
  const refreshKnown =
    known !== null &&
    (known.stored.value as unknown as StoredSession).state === state &&
    known.stored.updatedBy.id === call.actor.id &&
    (input.expectedVersion === undefined || input.expectedVersion === known.version) &&
    Date.parse(known.stored.expiresAt) > Date.now();
  if (known && !refreshKnown) current = await readWithOwner();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let before: StoredEntry | null;
    let version: number;
    if (attempt === 0 && refreshKnown) {
      ({ stored: before, version } = known);
    } else {
      // the remembered record was stale, or another push landed in between: read again
      if (attempt > 0) current = await readWithOwner();
      before = current ? (JSON.parse(current.value) as StoredEntry) : null;
      version = current?.version ?? 0;
    }
    const previous = before && Date.parse(before.expiresAt) > Date.now() ? (before.value as unknown as StoredSession) : null;
    if (previous && previous.owner !== owner) {
      throw new AppError("FORBIDDEN", `Session ${input.sessionId} belongs to client ${previous.owner}; only its keys may write it (it expires ${before!.expiresAt}). Use another sessionId.`);
    }
    const conflict = input.expectedVersion !== undefined && input.expectedVersion !== version;
    const sameState = previous?.state === state && before?.updatedBy.id === call.actor.id;
    // the same state from the same writer, over the version it expected: a heartbeat (a conflicting one is a change, to flag it)
    const heartbeat = sameState && !conflict;
    const record = { scope, key: SESSION_RECORD_KEY, ttlSeconds, ifVersion: version };
    let result: StoreResult;
    if (heartbeat) {
      // the diff text first, then the record: one write to the store (with the owner claim when the record was remembered)
      const [, refreshed, checked] = await Promise.all([storeDiff(), refreshEntry(deps, call, record, before!), ownerChecked]);
      holder = checked;
      result = refreshed;
    } else {
      // the diff text leaves with the record, ahead of it, so it is stored before the record names it
      result = await storeEntry(
        deps,
        call,
        {
          ...record,
          value: { ...shape, owner, state, changedAt: sameState ? previous!.changedAt : new Date().toISOString() } satisfies StoredSession as unknown as Entry["value"],
          expectedVersion: input.expectedVersion,
        },
        { audited: (value) => ({ value: auditSummary(value as unknown as StoredSession), preview: "", truncated: false }), before: storeDiff },
      );
    }
    if (result.written) {
      written(result);
      return { session: await viewOf(deps, input.sessionId, result.entry, false), conflict: result.conflict, changed: !heartbeat };
    }
  }
  throw new AppError("CONFLICT", `Session ${input.sessionId} is being written by others too often to store this push; retry.`);
}

/** What the audit log keeps of a session state: where and which files, never diff text. */
function auditSummary(s: StoredSession) {
  return {
    repo: s.repo,
    branch: s.branch,
    head: s.head,
    activeFile: s.activeFile,
    selection: s.selection,
    changedFiles: s.changedFiles.slice(0, 50).map((f) => ({ path: f.path, status: f.status, additions: f.additions, deletions: f.deletions, symbols: f.symbols.slice(0, 20) })),
    files: s.changedFiles.length,
    diff: s.diff,
  };
}

async function viewOf(deps: Deps, sessionId: string, entry: Entry, withDiffText: boolean): Promise<SessionView> {
  const s = entry.value as unknown as StoredSession;
  let diff: SessionView["diff"] = s.diff;
  if (s.diff && withDiffText) {
    const text = await deps.kv.get(diffKey(sessionId, s.diff.sha256));
    if (text !== null) diff = { ...s.diff, text: text.slice(0, MAX_DIFF_CHARS_RETURNED), truncated: text.length > MAX_DIFF_CHARS_RETURNED };
  }
  const sum = (pick: (f: ChangedFile) => number | null) => s.changedFiles.reduce((n, f) => n + (pick(f) ?? 0), 0);
  return {
    sessionId,
    repo: s.repo,
    branch: s.branch,
    head: s.head,
    activeFile: s.activeFile,
    selection: s.selection,
    changedFiles: s.changedFiles,
    totals: { files: s.changedFiles.length, additions: sum((f) => f.additions), deletions: sum((f) => f.deletions) },
    diff,
    owner: s.owner,
    version: entry.version,
    updatedBy: entry.updatedBy,
    updatedAt: entry.updatedAt,
    changedAt: s.changedAt,
    expiresAt: entry.expiresAt,
  };
}

/** Diff text only when the server allows raw code to leave it (AI_RAW_CODE=allow). */
export async function getSession(deps: Deps, sessionId: string): Promise<SessionView> {
  const entry = await readEntry(deps.kv, sessionScope(sessionId), SESSION_RECORD_KEY);
  if (!entry) throw new AppError("NOT_FOUND", `No live session ${sessionId} (it may have expired: sessions live ${deps.env.CURSOR_SESSION_TTL_SECONDS} s after their last push).`);
  return viewOf(deps, sessionId, entry, deps.env.AI_RAW_CODE === "allow");
}

/** Live sessions in id order, optionally of one repo; never with diff text (read one session for it). */
export async function listSessions(deps: Deps, input: { repo?: string; cursor?: string; limit: number }): Promise<{ items: SessionView[]; nextCursor: string | null }> {
  const items: SessionView[] = [];
  let after = input.cursor ? sessionScope(input.cursor) : undefined;
  for (;;) {
    const scopes = await deps.kv.indexRange(SCOPES_INDEX, { prefix: "session:", after, limit: input.limit });
    const records = await deps.kv.getVersionedMany(scopes.map((scope) => recordKey(scope, SESSION_RECORD_KEY)));
    const now = Date.now();
    for (const [i, scope] of scopes.entries()) {
      const entry = entryOf(scope, SESSION_RECORD_KEY, records[i] ?? null, now);
      if (!entry || (input.repo && (entry.value as unknown as StoredSession).repo !== input.repo)) continue;
      items.push(await viewOf(deps, scope.slice("session:".length), entry, false));
      if (items.length === input.limit) break;
    }
    if (items.length === input.limit || scopes.length < input.limit) {
      const { items: fitted, cut } = fitToBudget(items);
      const more = cut || items.length === input.limit;
      return { items: fitted, nextCursor: more ? fitted[fitted.length - 1]!.sessionId : null };
    }
    after = scopes[scopes.length - 1];
  }
}
