import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { createDeps } from "@/server/deps";
import { drainOutbox } from "@/server/features/notifications/drain";

/**
 * A stand-in for the app's worker, for the crash test: drains the outbox of DATABASE_URL over and
 * over with a short lease until nothing is pending (or it is killed), printing "drained" at the end.
 */
const env = parseEnv(process.env);
const deps = await createDeps({ env, database: { url: env.databaseUrl! }, kv: createKeyValueStore({}) });
const leaseMs = Number(process.env.DRAIN_LEASE_MS ?? 2_000);
process.stdout.write("ready\n");
for (;;) {
  await drainOutbox(deps, { leaseMs, budgetMs: 30_000, backoff: { baseMs: 50, maxMs: 200 } });
  const open = await deps.db.notificationDelivery.count({ where: { status: "pending" } });
  if (open === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}
process.stdout.write("drained\n");
await deps.database.close();
process.exit(0);
