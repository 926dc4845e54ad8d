import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { ArchivedRow } from "./types";

/** Rows of a gzip NDJSON stream, one at a time (a segment is never held in memory whole). */
export async function* gzipNdjsonRows(compressed: Readable): AsyncIterable<ArchivedRow> {
  const gunzip = createGunzip();
  compressed.on("error", (err) => gunzip.destroy(err));
  const lines = createInterface({ input: compressed.pipe(gunzip), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as ArchivedRow;
}
