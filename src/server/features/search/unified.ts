import type { Database } from "@/server/adapters/db";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import { can, type Actor } from "@/server/core/auth/actor";
import { fitToBudget } from "@/server/core/paging";
import type { Permission } from "@/server/core/auth/permissions";
import { auditListInput } from "@/server/features/audit/schema";
import { listAuditEvents } from "@/server/features/audit/service";
import { entryOf, recordKey, SCOPES_INDEX, scopeIndex } from "@/server/features/context/store";
import { searchCode, type CodeView, type SearchDeps } from "./code";
import { wordsMatcher } from "./context-words";
import { searchWords } from "./query";
import { SOURCES, type UnifiedResult, type UnifiedSearchInput } from "./schema";

type Source = (typeof SOURCES)[number];
/** What each source needs besides search:read: a key sees only what it could read directly. */
const NEEDS: Record<Source, Permission> = { code: "github:read", audit: "audit:read", context: "context:read" };
const MAX_SCOPES = 50;
const MAX_KEYS_PER_SCOPE = 200;
/**
 * The most context entries a search reads and matches: the first scopes' keys in name order, as the
 * scopes and keys above are chosen. Each costs some 20 µs of CPU read and matched, and the 10,000 the
 * two bounds above allow cost 0.4 s a search.
 */
export const MAX_CONTEXT_ENTRIES = 1_000;

/** Each source's results scored 0..1 relative to its best, then merged: typed, best first. */
type UnifiedDeps = SearchDeps & { kv: KeyValueStore; database: Pick<Database, "sql"> };

export async function searchEverything(deps: UnifiedDeps, actor: Actor, input: UnifiedSearchInput, view: CodeView): Promise<{ results: UnifiedResult[]; searched: Source[] }> {
  const searched = (input.types ?? [...SOURCES]).filter((s) => can(actor, NEEDS[s]));
  const per = input.limit;
  const words = searchWords(input.q);
  const [code, audit, context] = await Promise.all([
    searched.includes("code") ? codeResults(deps, input.q, per, view) : [],
    searched.includes("audit") ? auditResults(deps, words, per) : [],
    searched.includes("context") ? contextResults(deps.kv, words, per) : [],
  ]);
  const { items } = fitToBudget([...code, ...audit, ...context].sort((a, b) => b.score - a.score).slice(0, input.limit));
  return { results: items, searched };
}

const relative = <T extends { score: number }>(items: T[]): T[] => {
  const top = Math.max(0, ...items.map((i) => i.score));
  return items.map((i) => ({ ...i, score: top > 0 ? Number((i.score / top).toFixed(4)) : 0 }));
};

async function codeResults(deps: SearchDeps, q: string, limit: number, view: CodeView): Promise<UnifiedResult[]> {
  const { results } = await searchCode(deps, { q, limit }, view);
  return relative(results.map((code) => ({ type: "code" as const, score: code.score, title: `${code.repo}: ${code.path}:${code.startLine}-${code.endLine}`, code })));
}

/** Audit events matching any of the words (newest first, so scored by position). */
async function auditResults(deps: UnifiedDeps, words: string[], limit: number): Promise<UnifiedResult[]> {
  const terms = words.filter((w) => w !== "or");
  if (terms.length === 0) return [];
  const { items } = await listAuditEvents(deps, auditListInput.parse({ q: terms.join(" or ").slice(0, 200), limit }));
  return items.map((e, i) => ({
    type: "audit" as const,
    score: Number((0.9 / (1 + i * 0.1)).toFixed(4)),
    title: `${e.action}${e.target ? ` ${e.target}` : ""}`,
    audit: { seq: e.seq, at: e.at, action: e.action, actorType: e.actorType, actorId: e.actorId, target: e.target, outcome: e.outcome },
  }));
}

/** Live context entries (the first MAX_CONTEXT_ENTRIES) whose scope, key or value holds the words (the share of words found is the score). */
async function contextResults(kv: KeyValueStore, words: string[], limit: number): Promise<UnifiedResult[]> {
  if (words.length === 0) return [];
  const scopes = await kv.indexRange(SCOPES_INDEX, { limit: MAX_SCOPES });
  const keyLists = await Promise.all(scopes.map((scope) => kv.indexRange(scopeIndex(scope), { limit: MAX_KEYS_PER_SCOPE })));
  let room = MAX_CONTEXT_ENTRIES;
  const batches = scopes.map((scope, i) => {
    const keys = keyLists[i]!.slice(0, room);
    room -= keys.length;
    return { scope, keys };
  });
  const perScope = await Promise.all(
    batches.map(async ({ scope, keys }) => {
      const records = keys.length ? await kv.getVersionedMany(keys.map((k) => recordKey(scope, k))) : [];
      return records.map((r, i) => entryOf(scope, keys[i]!, r)).filter((e) => e !== null);
    }),
  );
  const now = Date.now();
  const found = wordsMatcher(words);
  const out: UnifiedResult[] = [];
  for (const entry of perScope.flat()) {
    if (Date.parse(entry.expiresAt) <= now) continue;
    const value = JSON.stringify(entry.value);
    const count = found(`${entry.scope} ${entry.key} ${value}`);
    if (count === 0) continue;
    out.push({
      type: "context",
      score: Number(((0.8 * count) / words.length).toFixed(4)),
      title: `${entry.scope} / ${entry.key}`,
      context: { scope: entry.scope, key: entry.key, version: entry.version, updatedAt: entry.updatedAt, preview: value.slice(0, 300) },
    });
  }
  return out.sort((a, b) => b.score - a.score).slice(0, limit);
}
