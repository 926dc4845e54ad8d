import { appendFileSync } from "node:fs";
import type { JobDefinition } from "@/server/jobs/types";

/**
 * Jobs that exist only in tests of the jobs layer: each leaves a line per run in a file of the
 * test's (`JOBS_TEST_OUT`), which the test reads back — an effect outside the run records.
 */
const out = () => process.env.JOBS_TEST_OUT ?? "/dev/null";
const mark = (line: string) => appendFileSync(out(), `${line}\n`);
const retry = { limit: 0, delaySeconds: 0, backoff: false };

export const tickJob: JobDefinition = {
  name: "test-tick",
  description: "Every 10 seconds: notes which process ran which tick",
  schedule: "*/10 * * * * *",
  timeoutSeconds: 30,
  retry,
  singleton: false,
  runsInCron: true,
  run: async ({ data }) => {
    mark(`${String(data.tick)} ${process.pid}`);
    return { tick: data.tick };
  },
};

export const hangJob: JobDefinition = {
  name: "test-hang",
  description: "Notes its attempt, then never finishes (its process is killed)",
  schedule: null,
  timeoutSeconds: 3,
  retry: { limit: 1, delaySeconds: 0, backoff: false },
  singleton: false,
  runsInCron: false,
  run: async ({ runId }) => {
    mark(`${runId} ${process.pid}`);
    await new Promise(() => {});
  },
};

export const throwJob: JobDefinition = {
  name: "test-throw",
  description: "Fails every attempt",
  schedule: null,
  timeoutSeconds: 10,
  retry: { limit: 2, delaySeconds: 1, backoff: true },
  singleton: false,
  runsInCron: false,
  run: async () => {
    throw new Error("the test job failed on purpose");
  },
};

export const echoJob: JobDefinition = {
  name: "test-echo",
  description: "Returns its data",
  schedule: null,
  timeoutSeconds: 10,
  retry,
  singleton: false,
  runsInCron: true,
  run: async ({ data, log }) => {
    log("echo");
    return { echoed: data };
  },
};

export const lateJob: JobDefinition = {
  name: "test-late",
  description: "Scheduled every minute; the test makes its last success old",
  schedule: "* * * * *",
  timeoutSeconds: 10,
  retry,
  singleton: true,
  runsInCron: true,
  run: async () => ({}),
};
