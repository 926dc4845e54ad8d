import type { Summarizer } from "@/server/adapters/embeddings/types";
import { distinctWords } from "@/server/features/search/query";
import { chunkText, type Chunk } from "./chunker";
import { isBinaryContent } from "./filter";
import { languageOf } from "./language";
import { redactSecrets } from "./redact";
import { extractiveFileSummary } from "./summarize";
import { chunkId } from "./vector-ids";

/** A file made ready to store: redacted, chunked and summarized. Nothing here has seen the raw secret. */
export interface PreparedFile {
  path: string;
  blobSha: string;
  size: number;
  language: string | null;
  summary: string;
  summarySource: "extractive" | "model";
  symbols: string[];
  /** Each chunk with the distinct words of its symbol and of its text, from which Postgres builds its full-text document. */
  chunks: (Chunk & { id: string; symbolWords: string; words: string })[];
  redactions: number;
}

const MODEL_INPUT_CHARS = 12_000;

export function prepareFile(repoId: string, entry: { path: string; blobSha: string; size: number }, bytes: Buffer): PreparedFile | "binary" {
  if (isBinaryContent(bytes)) return "binary";
  const language = languageOf(entry.path);
  const { text, redactions } = redactSecrets(bytes.toString("utf8").replace(/\u0000/g, ""));
  const { summary, symbols } = extractiveFileSummary(entry.path, text, language);
  const chunks = chunkText(text, language).map((c) => ({
    ...c,
    id: chunkId(repoId, entry.path, entry.blobSha, c.startLine),
    symbolWords: distinctWords(c.symbol ?? ""),
    words: distinctWords(c.content),
  }));
  return { ...entry, language, summary, summarySource: "extractive", symbols, chunks, redactions };
}

/** Replaces extractive summaries by the model's where a summarizer is configured; a failure keeps the extractive one. */
export async function modelSummaries(files: PreparedFile[], summarizer: Summarizer, warn: (m: string) => void, concurrency = 4): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      const text = `${f.summary}\n\n${f.chunks
        .map((c) => c.content)
        .join("\n")
        .slice(0, MODEL_INPUT_CHARS)}`;
      try {
        const s = (await summarizer.summarize({ path: f.path, kind: "file", text })).trim();
        if (s) Object.assign(f, { summary: redactSecrets(s).text, summarySource: "model" as const });
      } catch (err) {
        warn(`summary of ${f.path}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
}
