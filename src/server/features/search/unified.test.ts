import { describe, expect, it } from "vitest";
import { createMemoryStore } from "@/server/adapters/kv/memory";
import type { Actor } from "@/server/core/auth/actor";
import { indexesOf, recordKey } from "@/server/features/context/store";
import { unifiedSearchInput } from "./schema";
import { MAX_CONTEXT_ENTRIES, searchEverything } from "./unified";
import type { UnifiedResult } from "./schema";

const reader: Actor = { type: "api_key", id: "k", clientId: "c", keyId: "k", keyPrefix: "oo_k", scopes: ["search:read", "context:read"] };
const view = { rawCode: false, highlight: false, localPaths: false };

describe("the unified search's context part", () => {
  it("reads the first MAX_CONTEXT_ENTRIES entries, scopes and keys in name order", async () => {
    const kv = createMemoryStore();
    const keysPerScope = 200;
    const scopes = Math.ceil(MAX_CONTEXT_ENTRIES / keysPerScope) + 1;
    const put = (scope: string, key: string, note: string) => {
      const stored = { value: { note }, updatedBy: { type: "api_key", id: "k" }, updatedAt: "2026-12-06T00:00:00.000Z", expiresAt: new Date(Date.now() + 60_000).toISOString() };
      return kv.setVersioned(recordKey(scope, key), JSON.stringify(stored), { ttlMs: 60_000, indexes: indexesOf(scope, key).put });
    };
    for (let s = 0; s < scopes; s++) {
      for (let k = 0; k < keysPerScope; k++) {
        const n = s * keysPerScope + k;
        // the last entry within the bound and the first past it carry the word searched for
        await put(`s${String(s).padStart(2, "0")}`, `k${String(k).padStart(3, "0")}`, n === MAX_CONTEXT_ENTRIES - 1 || n === MAX_CONTEXT_ENTRIES ? "the marker" : "filler");
      }
    }
    const { results } = await searchEverything({ kv } as never, reader, unifiedSearchInput.parse({ q: "marker", types: "context" }), view);
    const found = results.filter((r): r is Extract<UnifiedResult, { type: "context" }> => r.type === "context").map((r) => `${r.context.scope}/${r.context.key}`);
    const last = MAX_CONTEXT_ENTRIES - 1;
    expect(found).toEqual([`s${String(Math.floor(last / keysPerScope)).padStart(2, "0")}/k${String(last % keysPerScope).padStart(3, "0")}`]);
  });
});
