import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import { getEntry, putEntry } from "@/server/features/context/service";
import { closeDeps, testDeps } from "../../../tests/support/deps";
import { prometheusText } from "./prometheus";

const metric = (text: string, line: RegExp) => Number(text.match(line)?.[1] ?? Number.NaN);

describe("/api/metrics: the context near cache", () => {
  let deps: Deps;
  beforeAll(async () => {
    deps = await testDeps();
  });
  afterAll(async () => {
    await closeDeps(deps);
  });

  it("reports this instance's cache — live, copies, hits and misses — where there is one (Redis over TCP), and nothing of it otherwise", async () => {
    const key = `metrics/${randomUUID()}`;
    await putEntry(deps, { actor: systemActor("test"), requestId: randomUUID(), surface: "system" }, { scope: "global", key, value: { n: 1 } });
    const read = () => getEntry(deps.kv, { scope: "global", key });
    await read(); // opens the cache's invalidation feed (where there is a cache)
    if (deps.kv.kind !== "redis") {
      expect((await prometheusText(deps)).text).not.toMatch(/oo_context_cache/);
      return;
    }
    for (const end = Date.now() + 3_000; !deps.kv.nearCacheStats?.()?.live && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
    const before = (await prometheusText(deps)).text;
    for (let i = 0; i < 3; i++) await read();
    const after = (await prometheusText(deps)).text;

    const reads = (text: string, result: string) => metric(text, new RegExp(`^oo_context_cache_reads_total\\{result="${result}"\\} (\\d+)$`, "m"));
    expect(after).toMatch(/^oo_context_cache_live 1$/m);
    // once live: the first read is Redis's (and kept), the next two the copy's
    expect(reads(after, "miss") - reads(before, "miss")).toBe(1);
    expect(reads(after, "hit") - reads(before, "hit")).toBe(2);
    expect(metric(after, /^oo_context_cache_entries (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^oo_context_cache_invalidations_total \d+$/m);
  });
});
