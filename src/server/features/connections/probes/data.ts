import { readMigrations } from "@/server/adapters/db/migrate";
import type { Deps } from "@/server/deps";
import { untilAborted, type Probe } from "./types";

/** Postgres (or PGlite): a round trip, then the migration state as `_prisma_migrations` records it. */
export function databaseProbe(deps: Pick<Deps, "db">): Probe {
  return async (signal) => {
    const started = performance.now();
    await untilAborted(deps.db.$queryRawUnsafe("SELECT 1"), signal);
    const roundTripMs = performance.now() - started;
    const rows = await untilAborted(
      deps.db.$queryRawUnsafe<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]>(
        `SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name`,
      ),
      signal,
    );
    const applied = rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
    const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
    const warnings: string[] = [];
    let pending: string[] | null = null;
    try {
      const onDisk = (await readMigrations()).map((m) => m.name);
      pending = onDisk.filter((n) => !applied.includes(n));
    } catch {
      // a deployment without the migrations folder: the applied list is all we can say
    }
    if (pending?.length) warnings.push(`${pending.length} migration(s) not applied: ${pending.join(", ")}`);
    if (failed.length) warnings.push(`failed migration(s): ${failed.join(", ")}`);
    return {
      latencyMs: roundTripMs,
      details: { roundTripMs: Math.round(roundTripMs * 10) / 10, migrationsApplied: applied.length, latestMigration: applied.at(-1) ?? null, pendingMigrations: pending, failedMigrations: failed },
      warnings,
    };
  };
}

/** The shared store: a PING (Redis, Upstash) or nothing at all (memory, always up while the process is). */
export function storeProbe(deps: Pick<Deps, "kv">): Probe {
  return async (signal) => {
    await untilAborted(deps.kv.ping(), signal);
    return { details: deps.kv.kind === "memory" ? { note: "in-process store: single instance only" } : {} };
  };
}
