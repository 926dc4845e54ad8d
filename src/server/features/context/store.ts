import type { IndexRef, KeyValueStore, Versioned } from "@/server/adapters/kv/types";
import { CONTEXT_RECORD_PREFIX } from "@/server/deps";
import type { ActorRef, Entry } from "./schema";

/**
 * Where the shared context lives in the key-value store. A record per entry (`ctx:e:<scope>|<key>`,
 * a versioned value expiring with the entry), an index of the keys of each scope (`ctx:i:<scope>`),
 * and an index of scopes (`ctx:scopes`) that lives as long as the scope's longest-lived entry.
 * `|` is in neither alphabet, so a record key names exactly one (scope, key).
 */
export const recordKey = (scope: string, key: string) => `${CONTEXT_RECORD_PREFIX}${scope}|${key}`;
export const scopeIndex = (scope: string) => `ctx:i:${scope}`;
export const SCOPES_INDEX = "ctx:scopes";
/**
 * The entry of a `session:<id>` scope that holds the IDE session itself (features/cursor). Its owner
 * and diff rules live there, so the generic PUT and DELETE refuse it (guardFeatureRecord).
 */
export const SESSION_RECORD_KEY = "cursor";
export const isSessionRecord = (scope: string, key: string) => key === SESSION_RECORD_KEY && scope.startsWith("session:");

/** The event-bus channel of a scope's live updates. */
export const channelOf = (scope: string) => `context:${scope}`;

export function indexesOf(scope: string, key: string): { put: IndexRef[]; del: IndexRef[] } {
  const keyRef = { index: scopeIndex(scope), member: key };
  return { put: [keyRef, { index: SCOPES_INDEX, member: scope, extend: true }], del: [keyRef] };
}

/** What the store holds besides the version, which the store itself assigns. */
export interface StoredEntry {
  value: Entry["value"];
  updatedBy: ActorRef;
  updatedAt: string;
  expiresAt: string;
  /** The write's announcement in the journal (journal.ts): how the reconciler tells that this write landed. */
  writeId?: string;
}

/** The entry of a record; null when it has expired by our clock too (the store's expiry is the rule, this a guard). */
export function entryOf(scope: string, key: string, record: Versioned | null, now = Date.now()): Entry | null {
  if (!record) return null;
  const stored = JSON.parse(record.value) as StoredEntry;
  if (Date.parse(stored.expiresAt) <= now) return null;
  return { scope, key, value: stored.value, version: record.version, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt, expiresAt: stored.expiresAt };
}

export async function readEntry(kv: KeyValueStore, scope: string, key: string): Promise<Entry | null> {
  return entryOf(scope, key, await kv.getVersioned(recordKey(scope, key)));
}
