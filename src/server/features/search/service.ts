import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import type { CodeView, SearchDeps } from "./code";
import type { Semantic } from "./semantic";

export { searchCode } from "./code";
export { recall } from "./recall";
export { searchEverything } from "./unified";

/**
 * The rule "no raw code to AI, only matches": API keys get paths, line ranges, summaries and
 * scores, and code text only when AI_RAW_CODE=allow; signed-in users get highlighted, escaped snippets.
 */
export function viewFor(actor: Actor, aiRawCode: "allow" | "deny"): CodeView {
  if (actor.type === "user") return { rawCode: false, highlight: true, localPaths: true };
  if (actor.type === "api_key") return { rawCode: aiRawCode === "allow", highlight: false, localPaths: false };
  return { rawCode: true, highlight: false, localPaths: true };
}

/** Vector similarity when the deps carry an embedder and a vector store (embeddings configured). */
export function semanticOf(deps: Pick<Deps, "embedder" | "vectors">): Semantic | null {
  return deps.embedder && deps.vectors ? { embedder: deps.embedder, vectors: deps.vectors } : null;
}

/** The search's statements run through the database's plain runner (the `pg` pool, or PGlite itself), far less CPU per row than Prisma's driver adapter. */
export const searchDepsOf = (deps: Deps): SearchDeps & Pick<Deps, "kv" | "database"> => ({ db: deps.db, kv: deps.kv, database: deps.database, semantic: semanticOf(deps) });
