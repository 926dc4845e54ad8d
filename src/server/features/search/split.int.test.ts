import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import type { Deps } from "@/server/deps";
import { distinctWords, splitIdentifiers } from "./query";

/**
 * The indexer splits identifiers in TypeScript and Postgres only stems them (migration 20261127008000):
 * the words, and the document built from them, must be the SQL function's. ASCII and common letters
 * only: beyond them the SQL side follows the database's locale, which classes a few characters
 * otherwise than Unicode does (² is a digit to Unicode only).
 */
const TRICKY = [
  "parseSSEStream",
  "HTTPServer2D aB1cDE ABCdEF",
  "load_settings __proto__ x-y.ts a.b/c::d",
  "getHTTPResponseCode XMLHttpRequest IOError iOS",
  "  leading and trailing  ",
  "snake_CASE_Mixed kebab-case-id $scope #hash @decorator",
  "v2Beta3 123abc ABC123def 9Lives",
  "const fooBar = (bazQux) => fooBar(bazQux.FOO_BAR)",
  "",
  "!!!",
  "Tab\tand\nnew-line\r\nbreaks",
  "élanVital ÉCOLEÉtude naïveÜber straße 中文Abc",
];

let deps: Deps;
const repoId = `local/split-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  deps = await testDeps();
});
afterAll(async () => {
  await deps.db.repo.deleteMany({ where: { id: repoId } });
  await closeDeps(deps);
});

/** Each lexeme with its weights, positions left out (the indexer's document keeps each word once). */
const lexemesOf = async (doc: string, params: unknown[]) => {
  const rows = await deps.db.$queryRawUnsafe<{ l: string | null }[]>(
    `SELECT string_agg(lexeme || ':' || array_to_string(ARRAY(SELECT DISTINCT w FROM unnest(weights) w ORDER BY w), ''), ' ' ORDER BY lexeme) AS l FROM unnest(${doc})`,
    ...params,
  );
  return rows[0]?.l ?? "";
};

describe("identifier splitting, TypeScript vs SQL", () => {
  it("splitIdentifiers gives search_split_words' string", async () => {
    for (const text of TRICKY) {
      const [row] = await deps.db.$queryRawUnsafe<{ s: string }[]>(`SELECT "search_split_words"($1) AS s`, text);
      expect(splitIdentifiers(text), JSON.stringify(text)).toBe(row!.s);
    }
  });

  it("the document from distinct words holds the SQL document's lexemes, with their weights", async () => {
    for (const [symbol, content] of TRICKY.map((t, i) => [TRICKY[(i + 3) % TRICKY.length]!, `${t}\n${t.toUpperCase()} ${t}`])) {
      const fromNode = await lexemesOf(`"code_chunk_words_document"($1, $2)`, [distinctWords(symbol!), distinctWords(content!)]);
      const fromSql = await lexemesOf(`"code_chunk_search_document"('p', $1, $2)`, [symbol, content]);
      expect(fromNode, JSON.stringify([symbol, content])).toBe(fromSql);
    }
  });

  it("a chunk written without its document gets one from the trigger, and a new one when its text changes", async () => {
    await deps.db.repo.create({ data: { id: repoId, source: "local", defaultBranch: "main" } });
    await deps.db.repoFile.create({ data: { repoId, path: "a.ts", blobSha: "b", size: 10, summarySource: "extractive", summary: "", symbols: [] } });
    const id = `${repoId}:a.ts:1`;
    await deps.db.codeChunk.create({ data: { id, repoId, path: "a.ts", blobSha: "b", startLine: 1, endLine: 1, kind: "declaration", symbol: "fetchInvoice", content: "retryWithBackoff()" } });
    const matches = async (q: string) =>
      (await deps.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM code_chunk WHERE id = $1 AND search_doc @@ plainto_tsquery('english', $2)`, id, q))[0]!.n === 1;
    expect(await matches("retries backoff")).toBe(true);
    expect(await matches("invoice")).toBe(true);
    await deps.db.codeChunk.update({ where: { id }, data: { content: "parseSSEStream()" } });
    expect(await matches("stream")).toBe(true);
    expect(await matches("backoff")).toBe(false);
  });
});
