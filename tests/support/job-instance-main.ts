import { parseEnv } from "@/env";
import { createDeps } from "@/server/deps";
import { validateJobs } from "@/server/jobs/registry";
import { startJobRunner } from "@/server/jobs/runner";
import { echoJob, hangJob, tickJob } from "./test-jobs";

const ALL = [tickJob, hangJob, echoJob];

/** Works the named test jobs and sends their ticks until killed or stopped (SIGTERM). */
export async function runInstance(names: string[]): Promise<void> {
  const deps = await createDeps({ env: parseEnv(process.env) });
  const defs = validateJobs(ALL.filter((j) => names.includes(j.name)));
  const runner = await startJobRunner(deps, defs, { work: true, schedule: true, pollingSeconds: 0.5, tickEveryMs: 250 });
  console.log("ready");
  process.once("SIGTERM", () => {
    void runner.stop(1_000).then(() => process.exit(0));
  });
}
