import type { VectorRecord } from "./types";

/** Pinecone's documented limits, applied to every store so the index behaves the same on either. */
export const MAX_ID_LENGTH = 512;
export const MAX_METADATA_BYTES = 40 * 1024;
export const MAX_RECORDS_PER_UPSERT = 1000;
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
export const MAX_IDS_PER_DELETE = 1000;

/** A record the store refuses before sending anything: the message names the record and the rule. */
export class InvalidVectorRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidVectorRecordError";
  }
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

export function validateId(id: string): void {
  if (typeof id !== "string" || id.length === 0) throw new InvalidVectorRecordError("vector id must be a non-empty string");
  if (id.length > MAX_ID_LENGTH) {
    throw new InvalidVectorRecordError(`vector id is ${id.length} characters, over the limit of ${MAX_ID_LENGTH}: "${id.slice(0, 60)}…"`);
  }
}

export function validateRecord(r: VectorRecord, dimensions: number): void {
  validateId(r.id);
  if (r.values.length === 0 || r.values.length !== dimensions) {
    throw new InvalidVectorRecordError(`vector "${r.id}" has ${r.values.length} dimensions, expected ${dimensions}`);
  }
  if (!r.values.every(Number.isFinite)) throw new InvalidVectorRecordError(`vector "${r.id}" has a value that is not a finite number`);
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function cutToBytes(s: string, max: number): string {
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= max) return s;
  return buf
    .subarray(0, Math.max(0, max))
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}

/**
 * Metadata within `limit` bytes of JSON: the longest strings are shortened first (marked with "…"),
 * then the longest lists lose items from the end; numbers and booleans are always kept.
 */
export function trimMetadata(metadata: VectorRecord["metadata"], limit = MAX_METADATA_BYTES): VectorRecord["metadata"] {
  let size = bytes(metadata);
  if (size <= limit) return metadata;
  const out: VectorRecord["metadata"] = { ...metadata };
  for (let guard = 0; size > limit && guard < 10_000; guard++) {
    let key: string | null = null;
    let longest = 0;
    for (const [k, v] of Object.entries(out)) {
      const len = typeof v === "string" || Array.isArray(v) ? bytes(v) : 0;
      if (len > longest) [key, longest] = [k, len];
    }
    if (key === null || longest <= 8) break; // only tiny strings left: the record has too many keys
    const excess = size - limit;
    const v = out[key]!;
    if (typeof v === "string") {
      out[key] = `${cutToBytes(v, Math.max(0, Buffer.byteLength(v, "utf8") - excess - 8))}…`;
    } else if (Array.isArray(v)) {
      out[key] = v.length > 1 ? v.slice(0, Math.max(1, Math.floor(v.length / 2))) : [`${cutToBytes(v[0] ?? "", Math.max(0, longest - excess - 12))}…`];
    }
    size = bytes(out);
  }
  if (size > limit) throw new InvalidVectorRecordError(`metadata of ${size} bytes cannot be trimmed under ${limit} bytes`);
  return out;
}

/** Records grouped so each request stays within `maxRecords` and `maxBytes` of JSON (with room for the envelope). */
export function batchBySize<T>(items: T[], opts: { maxRecords: number; maxBytes: number; envelopeBytes?: number }): T[][] {
  const budget = opts.maxBytes - (opts.envelopeBytes ?? 1024);
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const b = bytes(item) + 1;
    if (b > budget) throw new InvalidVectorRecordError(`one record is ${b} bytes, over the ${opts.maxBytes}-byte request limit`);
    if (current.length >= opts.maxRecords || size + b > budget) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += b;
  }
  if (current.length) batches.push(current);
  return batches;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
