import { z } from "zod";

const q = z.string().trim().min(1, "q must not be empty").max(300).describe("What to look for: a question in prose, identifiers, or both");
const limit = (max: number, byDefault: number) => z.coerce.number().int().min(1).max(max).default(byDefault);
const cursor = z.coerce.number().int().min(0).max(1000).optional().describe("nextCursor of the previous page");

export const codeFilters = {
  repo: z.string().trim().max(200).optional().describe("Only this repo: owner/name, or local/<folder>"),
  path: z.string().trim().max(300).optional().describe('Path glob, e.g. "src/**/*.ts", "*.sql", or a folder prefix like "src/server"'),
  language: z.string().trim().max(40).optional().describe("Only files of this language, e.g. typescript"),
};

export const codeSearchInput = z.strictObject({ q, ...codeFilters, limit: limit(50, 10), cursor });
export type CodeSearchInput = z.infer<typeof codeSearchInput>;

export const RETRIEVERS = ["fulltext", "path", "symbol", "summary", "vector"] as const;
export type Retriever = (typeof RETRIEVERS)[number];

const lineRange = { startLine: z.number().int(), endLine: z.number().int() };

export const codeResultSchema = z.object({
  repo: z.string(),
  path: z.string(),
  language: z.string().nullable(),
  ...lineRange,
  symbol: z.string().nullable().describe("The declaration of the best-matching chunk, when it has one"),
  score: z.number().describe("Relevance; higher is better (comparable within one response only)"),
  retrievers: z.array(z.enum(RETRIEVERS)).describe("What matched: full-text in the code, the path, a symbol, the file summary, vector similarity"),
  summary: z.string().nullable().describe("The file's summary from the index"),
  matches: z.array(z.object({ ...lineRange, symbol: z.string().nullable() })).describe("The best chunks of the file, best first"),
  url: z.string().nullable().describe("The lines on GitHub at the indexed commit; null for a local repo"),
  localPath: z.string().nullable().describe("The file on disk, for a repo indexed from a local checkout"),
  snippet: z.object({ startLine: z.number().int(), html: z.string() }).nullable().describe("Dashboard users only: the best lines, HTML-escaped, matches in <mark>"),
  content: z.string().nullable().describe("The best chunk's code: only for API keys when AI_RAW_CODE=allow (dashboard users get the snippet)"),
});
export type CodeResult = z.infer<typeof codeResultSchema>;

export const codeSearchOutput = z.object({
  results: z.array(codeResultSchema),
  nextCursor: z.number().int().nullable(),
  mode: z.enum(["hybrid", "fulltext"]).describe("hybrid: full-text fused with vector similarity; fulltext: no embeddings configured"),
  terms: z.array(z.string()).describe("The stemmed words searched for"),
});
export type CodeSearchOutput = z.infer<typeof codeSearchOutput>;

export const recallInput = z.strictObject({ q, repo: codeFilters.repo, path: codeFilters.path, limit: limit(50, 10) });
export type RecallInput = z.infer<typeof recallInput>;

export const recallOutput = z.object({
  results: z.array(
    z.object({
      kind: z.enum(["file", "folder"]),
      repo: z.string(),
      path: z.string(),
      summary: z.string(),
      score: z.number(),
      retrievers: z.array(z.enum(["fulltext", "vector"])),
    }),
  ),
  mode: z.enum(["hybrid", "fulltext"]),
});
export type RecallOutput = z.infer<typeof recallOutput>;

export const SOURCES = ["code", "audit", "context"] as const;
export const unifiedSearchInput = z.strictObject({
  q,
  types: z
    .preprocess(
      (v) =>
        typeof v === "string"
          ? v
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
          : v,
      z.array(z.enum(SOURCES)).min(1),
    )
    .optional()
    .describe("Which sources to search (comma-separated): code, audit, context; all by default"),
  limit: limit(50, 20),
});
export type UnifiedSearchInput = z.infer<typeof unifiedSearchInput>;

export const unifiedResultSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("code"), score: z.number(), title: z.string(), code: codeResultSchema }),
  z.object({
    type: z.literal("audit"),
    score: z.number(),
    title: z.string(),
    audit: z.object({ seq: z.number().int(), at: z.string(), action: z.string(), actorType: z.string(), actorId: z.string(), target: z.string().nullable(), outcome: z.string() }),
  }),
  z.object({
    type: z.literal("context"),
    score: z.number(),
    title: z.string(),
    context: z.object({ scope: z.string(), key: z.string(), version: z.number().int(), updatedAt: z.string(), preview: z.string() }),
  }),
]);
export type UnifiedResult = z.infer<typeof unifiedResultSchema>;

export const unifiedSearchOutput = z.object({
  results: z.array(unifiedResultSchema),
  searched: z.array(z.enum(SOURCES)).describe("The sources searched: a source the caller may not read is left out"),
});
