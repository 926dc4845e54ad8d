import { vi } from "vitest";
import type { Deps } from "@/server/deps";

/**
 * Watches the context write journal's announcement statement (features/context/journal.ts), which goes
 * through the database's plain runner: how many were made, and, given `fail`, each one refused with it.
 */
export function watchAnnouncements(deps: Deps, fail?: Error) {
  const runner = deps.database.sql;
  if (!runner) throw new Error("the database has no plain runner");
  const query = runner.query.bind(runner);
  // alone, or after the settlements that ride it (WITH settled AS (DELETE …) INSERT …)
  const isAnnouncement = (text: string) => text.includes("INSERT INTO context_write_intent");
  const spy = vi.spyOn(runner, "query").mockImplementation(async <T>(text: string, params?: unknown[]) => {
    if (fail && isAnnouncement(text)) throw fail;
    return query<T>(text, params);
  });
  return { count: () => spy.mock.calls.filter(([text]) => isAnnouncement(text)).length, restore: () => spy.mockRestore() };
}
