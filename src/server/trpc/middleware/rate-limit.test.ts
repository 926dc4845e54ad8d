import { describe, expect, it } from "vitest";
import { createMemoryStore } from "@/server/adapters/kv/memory";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import { checkRateLimit, limitsFor } from "./rate-limit";

const actor: Actor = { type: "api_key", id: "c", clientId: "c", keyId: "key-1", keyPrefix: "oo_x", scopes: [], rateLimits: { read: 2 } };

describe("rate limits", () => {
  it("take a key's own limits over RATE_LIMITS over the defaults", () => {
    expect(limitsFor(actor, "write=7")).toEqual({ read: 2, write: 7, expensive: 30 });
    expect(limitsFor({ type: "user", id: "u", email: "e", role: "viewer", permissions: [] }, undefined)).toEqual({ read: 600, write: 60, expensive: 30 });
  });

  it("count per key and kind, and answer 429 with Retry-After and RateLimit headers past the limit", async () => {
    const kv = createMemoryStore();
    const headers = new Headers();
    await checkRateLimit(kv, actor, "read", 2, headers);
    await checkRateLimit(kv, actor, "read", 2, headers);
    expect(headers.get("RateLimit")).toMatch(/^"read";r=0;t=\d+$/);
    expect(headers.get("RateLimit-Policy")).toBe('"read";q=2;w=60');
    const err = await checkRateLimit(kv, actor, "read", 2, headers).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("RATE_LIMITED");
    expect(Number(headers.get("Retry-After"))).toBeGreaterThan(0);
    await expect(checkRateLimit(kv, actor, "write", 2, new Headers())).resolves.toBeUndefined();
  });

  it("fail open when the store is down: the request goes through without limit headers", async () => {
    const down = { available: () => true, incrWindow: () => Promise.reject(new Error("ECONNREFUSED")) } as unknown as KeyValueStore;
    const headers = new Headers();
    await expect(checkRateLimit(down, actor, "read", 1, headers)).resolves.toBeUndefined();
    expect(headers.get("RateLimit")).toBeNull();
  });

  it("skips a store known to be disconnected without calling it", async () => {
    let called = 0;
    const gone = { available: () => false, incrWindow: () => (called++, Promise.reject(new Error("would wait for a timeout"))) } as unknown as KeyValueStore;
    const headers = new Headers();
    await expect(checkRateLimit(gone, actor, "read", 1, headers)).resolves.toBeUndefined();
    expect(called).toBe(0);
    expect(headers.get("RateLimit")).toBeNull();
  });

  describe("leases from the shared counter", () => {
    /** A handle on a shared store, as one app instance holds it; counts its commands. */
    function instance(shared: KeyValueStore) {
      const handle = { calls: 0, available: () => true, incrWindow: (k: string, w: number, by?: number) => (handle.calls++, shared.incrWindow(k, w, by)) };
      return handle as typeof handle & KeyValueStore;
    }
    const allowed = async (kv: KeyValueStore, limit: number) =>
      checkRateLimit(kv, actor, "read", limit, new Headers()).then(
        () => true,
        () => false,
      );

    it("let exactly the limit through on one instance, with far fewer store commands than requests", async () => {
      const kv = instance(createMemoryStore());
      let passed = 0;
      for (let i = 0; i < 300; i++) if (await allowed(kv, 200)) passed++;
      expect(passed).toBe(200);
      expect(kv.calls).toBeLessThan(40); // and none for the 100 refused once the window was spent
    });

    it("never let more than the limit through across instances sharing the store", async () => {
      const shared = createMemoryStore();
      const instances = [instance(shared), instance(shared), instance(shared)];
      let passed = 0;
      for (let i = 0; i < 600; i++) if (await allowed(instances[(i * 7) % 3]!, 150)) passed++;
      expect(passed).toBeLessThanOrEqual(150);
      expect(passed).toBeGreaterThanOrEqual(100); // counts leased but unused by one instance are lost to the others
    });

    it("let a concurrent burst under the limit through: callers waiting on one refill share its lease", async () => {
      const kv = instance(createMemoryStore());
      let passed = 0;
      for (let round = 0; round < 7; round++) {
        const results = await Promise.all(Array.from({ length: 30 }, () => allowed(kv, 1_000)));
        passed += results.filter(Boolean).length;
      }
      expect(passed).toBe(210);
      expect(kv.calls).toBeLessThan(30);
      // and the limit still holds for a burst larger than what is left
      const rest = await Promise.all(Array.from({ length: 1_000 }, () => allowed(kv, 1_000)));
      expect(rest.filter(Boolean).length).toBe(790);
    });

    it("count a small limit exactly: one store command per allowed request, none for the refusals", async () => {
      const kv = instance(createMemoryStore());
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await allowed(kv, 3));
      expect(results).toEqual([true, true, true, false, false]);
      expect(kv.calls).toBe(3);
    });
  });
});
