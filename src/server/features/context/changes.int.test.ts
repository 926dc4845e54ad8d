import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import type { Deps } from "@/server/deps";
import { appendChange, changesAfter, headsOf } from "./changes";
import type { ContextEvent } from "./schema";

/**
 * The change log behind resumable streams: changes recorded at the same moment share a statement, and
 * still each scope numbers its own 1, 2, … in the order they were recorded, with nothing lost or doubled.
 */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

const put = (scope: string, n: number): ContextEvent => ({ type: "put", scope, key: `k${n}`, at: new Date().toISOString() });

describe("context change log", () => {
  it("numbers a burst of changes per scope in the order they were recorded, several per scope included", async () => {
    const scopes = [0, 1, 2].map((i) => `session:changes-${randomUUID().slice(0, 8)}-${i}`);
    const events = scopes.flatMap((scope) => [1, 2, 3, 4, 5].map((n) => put(scope, n)));
    // all at once: the appends of one turn of the event loop are batched
    const seqs = await Promise.all(events.map((e) => appendChange(deps, e)));
    for (const scope of scopes) {
      expect(seqs.filter((_, i) => events[i]!.scope === scope)).toEqual([1, 2, 3, 4, 5]);
      const logged = await changesAfter(deps, scope, 0);
      expect(logged.map((c) => [c.seq, c.key])).toEqual([1, 2, 3, 4, 5].map((n) => [n, `k${n}`]));
    }
    expect(await headsOf(deps, scopes)).toEqual(new Map(scopes.map((s) => [s, 5])));
    // and the next one carries on
    expect(await appendChange(deps, put(scopes[0]!, 6))).toBe(6);
  });

  it("a change Postgres refuses fails alone: the others of its batch are numbered and kept", async () => {
    const scope = `session:changes-${randomUUID().slice(0, 8)}`;
    const other = `session:changes-${randomUUID().slice(0, 8)}`;
    const bad: ContextEvent = { ...put(other, 1), key: "nul\u0000key" }; // jsonb cannot hold NUL
    const results = await Promise.allSettled([appendChange(deps, put(scope, 1)), appendChange(deps, bad), appendChange(deps, put(scope, 2))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await changesAfter(deps, scope, 0)).map((c) => c.seq)).toEqual([1, 2]);
    expect(await changesAfter(deps, other, 0)).toEqual([]);
  });
});
