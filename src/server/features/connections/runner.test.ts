import { describe, expect, it } from "vitest";
import type { ConnectionDef } from "./probes/types";
import { runProbe, runProbes, scrubError } from "./runner";

const def = (probe: ConnectionDef["probe"], secrets: string[] = []): ConnectionDef => ({ id: "x", label: "X", kind: "fake", layer: "data", config: {}, probe, secrets });

describe("runProbe", () => {
  it("says not_configured without a probe, and never down", async () => {
    expect(await runProbe(def(null), 100)).toMatchObject({ state: "not_configured", latencyMs: null, error: null });
  });

  it("says up with the latency the probe reports, and keeps its warnings", async () => {
    const r = await runProbe(
      def(async () => ({ latencyMs: 12.34, details: { a: 1 }, warnings: ["careful"] })),
      1_000,
    );
    expect(r).toMatchObject({ state: "up", latencyMs: 12.3, error: null, details: { a: 1, warnings: ["careful"] } });
  });

  it("says down with the reason when the probe throws", async () => {
    const r = await runProbe(
      def(async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6390"))),
      1_000,
    );
    expect(r).toMatchObject({ state: "down", error: "connect ECONNREFUSED 127.0.0.1:6390" });
  });

  it("says down at the deadline even when the probe ignores its signal", async () => {
    let aborted = false;
    const started = Date.now();
    const r = await runProbe(
      def((signal) => {
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise(() => {});
      }),
      150,
    );
    expect(r).toMatchObject({ state: "down", error: "no answer within 150 ms" });
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("never stores a secret or URL credentials in the error", async () => {
    const r = await runProbe(
      def(async () => Promise.reject(new Error("refused tok_SECRET123 at https://user:pw@host/x")), ["tok_SECRET123"]),
      500,
    );
    expect(r.error).toBe("refused *** at https://***@host/x");
    expect(scrubError("x".repeat(900), [])).toHaveLength(500);
  });
});

describe("runProbes", () => {
  it("runs all at once: the run takes about the slowest probe, not the sum", async () => {
    const slow =
      (ms: number): ConnectionDef["probe"] =>
      () =>
        new Promise((r) => setTimeout(() => r({}), ms));
    const defs = Array.from({ length: 10 }, (_, i) => ({ ...def(slow(200)), id: `p${i}` }));
    const seen: string[] = [];
    const started = Date.now();
    const results = await runProbes(defs, 5_000, (r) => seen.push(r.id));
    expect(results.every((r) => r.state === "up")).toBe(true);
    expect(seen).toHaveLength(10);
    expect(Date.now() - started).toBeLessThan(1_500); // sequential would be 2,000 ms
  });
});
