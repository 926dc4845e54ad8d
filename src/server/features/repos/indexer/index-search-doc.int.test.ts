import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalGitSource } from "@/server/adapters/repo-source/local-git";
import type { Deps } from "@/server/deps";
import { scratchDeps } from "../../../../../tests/support/deps";
import { TempGitRepo } from "../../../../../tests/support/git-repo";
import { indexRepo } from "./run";

/**
 * What the indexer writes for full-text search (migration 20261127008000): each chunk's stored document
 * holds exactly the lexemes the SQL definition gives, and a run leaves no entry pending in the search
 * tables' GIN indexes.
 * A database of its own, so no other test's rows land in a pending list between the run and the check.
 */
let deps: Deps;
let drop: () => Promise<void>;
const repo = new TempGitRepo();

beforeAll(async () => {
  ({ deps, drop } = await scratchDeps());
});
afterAll(async () => {
  await drop();
  repo.cleanup();
});

const pendingPages = async () =>
  deps.db.$queryRawUnsafe<{ index: string; pages: number }[]>(
    `SELECT c.relname AS index, gin_clean_pending_list(i.indexrelid)::int AS pages
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      WHERE a.amname = 'gin' AND i.indrelid IN ('code_chunk'::regclass, 'repo_file'::regclass, 'folder_summary'::regclass) ORDER BY c.relname`,
  );

describe("the indexer's full-text documents", () => {
  it("match the SQL document of every chunk, and no GIN entry is left pending after a run", async () => {
    repo
      .write({
        "src/billing/invoiceService.ts": "/** Creates invoices. */\nexport function createInvoice(order: Order) {\n  return retryWithBackoff(() => HTTPClient.post(order));\n}\n",
        "src/util/parse_config.py": "def load_settings(path):\n    return yaml.safe_load(open(path))  # café, naïve, 中文Abc\n",
        "docs/README.md": "# Billing\nEvery order gets an invoice at checkout: see `createInvoice` and XMLHttpRequest.\n",
      })
      .commit("one");
    const run = await indexRepo({ db: deps.db, audit: deps.audit }, { source: createLocalGitSource("local/docs", repo.dir), trigger: "cli" });
    expect(run.chunks).toBeGreaterThan(2);
    expect(run.phases.merge).toBeGreaterThanOrEqual(0);
    expect(run.warnings).toEqual([]);

    const differing = await deps.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM code_chunk WHERE search_doc IS NULL OR strip(search_doc) <> strip("code_chunk_search_document"(path, symbol, content))`,
    );
    expect(differing).toEqual([]);
    const pending = await pendingPages();
    expect(pending.map((p) => p.index)).toEqual(expect.arrayContaining(["code_chunk_search_doc_idx", "repo_file_search_idx", "folder_summary_search_idx"]));
    expect(pending.filter((p) => p.pages > 0)).toEqual([]);
  });
});
