import { createInterface } from "node:readline";
import { parseEnv } from "@/env";
import { createDeps } from "@/server/deps";
import { validateJobs } from "@/server/jobs/registry";
import { processQueue } from "@/server/jobs/runner";
import type { JobDefinition } from "@/server/jobs/types";

/** A bench worker: opens the queue, says "ready", starts working on "go", reports its attempt timings on "report". */
export const noopJob: JobDefinition = {
  name: "bench-noop",
  description: "Does nothing (the jobs layer's own cost)",
  schedule: null,
  timeoutSeconds: 60,
  retry: { limit: 0, delaySeconds: 0, backoff: false },
  singleton: false,
  runsInCron: true,
  run: async () => undefined,
};

export async function main() {
  const deps = await createDeps({ env: parseEnv(process.env) });
  const queue = await processQueue(deps, validateJobs([noopJob]));
  const attempts: number[] = [];
  const lines = createInterface({ input: process.stdin });
  console.log("ready");
  for await (const line of lines) {
    if (line === "go") {
      await queue.work(deps, { batchSize: Number(process.env.BENCH_BATCH ?? 50), concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4), pollingSeconds: 0.5, onAttempt: (ms) => attempts.push(ms) });
    } else if (line === "report") {
      // the bench drops the database next: no need to wind the queue down gracefully
      process.stdout.write(`${JSON.stringify({ attempts })}\n`, () => process.exit(0));
    }
  }
}
