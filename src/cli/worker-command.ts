import { env as loadEnv } from "@/env";
import { embeddedOwner } from "@/server/adapters/db/embedded";
import { jobs } from "@/server/api/jobs";
import { createDeps } from "@/server/deps";
import { instanceId } from "@/server/jobs/instance";
import { startJobRunner } from "@/server/jobs/runner";
import { CliError } from "./transport";

/**
 * `orchestrator worker`: works the job queue and sends the schedules' ticks until stopped, beside
 * any number of app instances and other workers on the same database (each tick still runs once).
 * With the embedded database the app that holds it runs the jobs itself.
 */
export async function workerCommand(opts: { schedules: boolean }): Promise<never> {
  const e = loadEnv();
  if (!e.databaseUrl && embeddedOwner(e.dataDir) !== null) {
    throw new CliError("The app holds the embedded database and runs the jobs itself; a separate worker needs DATABASE_URL.");
  }
  const deps = await createDeps({ env: e });
  const runner = await startJobRunner(deps, jobs, { work: true, schedule: opts.schedules });
  console.error(`[worker] ${instanceId()}: working ${[...jobs.keys()].join(", ")}${opts.schedules ? "; sending schedule ticks" : ""} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  console.error("[worker] stopping: runs in progress get 10 s to finish");
  await runner.stop();
  await deps.database.close();
  await deps.kv.close();
  process.exit(0);
}
