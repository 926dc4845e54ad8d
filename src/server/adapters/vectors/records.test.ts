import { describe, expect, it } from "vitest";
import { batchBySize, InvalidVectorRecordError, MAX_METADATA_BYTES, trimMetadata, validateId, validateRecord } from "./records";

const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v), "utf8");

describe("vector records", () => {
  it("trims the longest strings and lists of oversize metadata under 40 KB, keeping numbers and short fields", () => {
    const metadata = { path: "src/a.ts", startLine: 10, isTest: false, summary: "é\n".repeat(30_000), symbols: Array.from({ length: 5000 }, (_, i) => `symbol${i}`) };
    const trimmed = trimMetadata(metadata);
    expect(size(trimmed)).toBeLessThanOrEqual(MAX_METADATA_BYTES);
    expect(trimmed.path).toBe("src/a.ts");
    expect(trimmed.startLine).toBe(10);
    expect(trimmed.isTest).toBe(false);
    expect(String(trimmed.summary).endsWith("…")).toBe(true);
    expect(Array.isArray(trimmed.symbols) && trimmed.symbols[0]).toBe("symbol0");
  });

  it("leaves metadata within the limit untouched", () => {
    const metadata = { path: "a", n: 1 };
    expect(trimMetadata(metadata)).toBe(metadata);
  });

  it("refuses ids over 512 characters with a message naming the limit", () => {
    expect(() => validateId("x".repeat(513))).toThrow(InvalidVectorRecordError);
    expect(() => validateId("x".repeat(513))).toThrow(/513 characters, over the limit of 512/);
    expect(() => validateId("x".repeat(512))).not.toThrow();
    expect(() => validateId("")).toThrow(/non-empty/);
  });

  it("refuses values of another dimension or not finite", () => {
    expect(() => validateRecord({ id: "a", values: [1, 2], metadata: {} }, 3)).toThrow(/2 dimensions, expected 3/);
    expect(() => validateRecord({ id: "a", values: [1, Number.NaN, 2], metadata: {} }, 3)).toThrow(/finite/);
  });

  it("batches by record count and by bytes", () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ id: `r${i}`, pad: "p".repeat(1000) }));
    const batches = batchBySize(items, { maxRecords: 1000, maxBytes: 500_000 });
    expect(batches.flat()).toEqual(items);
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(1000);
      expect(size(b)).toBeLessThanOrEqual(500_000);
    }
    expect(batchBySize(items.slice(0, 10), { maxRecords: 3, maxBytes: 1e9 }).map((b) => b.length)).toEqual([3, 3, 3, 1]);
  });
});
