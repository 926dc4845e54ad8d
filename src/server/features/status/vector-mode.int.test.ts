import { afterEach, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import type { Deps } from "@/server/deps";
import { getStatus } from "./service";

/** /ai/status names the search mode in its embedded defaults: full-text, pgvector, or nothing when Pinecone is real. */
describe("status: embeddings and vectors mode", () => {
  let deps: Deps | undefined;
  afterEach(async () => {
    if (deps) await closeDeps(deps);
    deps = undefined;
  });

  const vectorLines = (s: { embeddedDefaults: string[] }) => s.embeddedDefaults.filter((l) => /embeddings|pgvector|vectors/.test(l));

  it("says full-text only without OPENAI_API_KEY", async () => {
    deps = await testDeps();
    expect(vectorLines(await getStatus(deps))).toEqual(["search: full-text only (no embeddings)"]);
  });

  it("says where vectors go when embeddings are configured without Pinecone", async () => {
    deps = await testDeps({ OPENAI_API_KEY: "sk-x" });
    const expected =
      deps.database.kind === "pglite"
        ? ["vectors: pgvector in the app's database (no Pinecone configured)"]
        : ["search: full-text only (embeddings configured, but no Pinecone and no pgvector in the database)"];
    expect(vectorLines(await getStatus(deps))).toEqual(expected);
  });

  it("lists nothing for vectors when Pinecone is configured", async () => {
    deps = await testDeps({ OPENAI_API_KEY: "sk-x", PINECONE_API_KEY: "pc", PINECONE_INDEX: "code" });
    expect(vectorLines(await getStatus(deps))).toEqual([]);
  });
});
