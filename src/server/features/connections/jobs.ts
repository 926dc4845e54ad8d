import type { JobDefinition } from "@/server/jobs/types";
import { runProbeJob } from "./probe-run";

/** Probes every configured connection each minute (PROBE_INTERVAL_SECONDS=0 turns the schedule off). */
export const connectionsJobs: JobDefinition[] = [
  {
    name: "probe",
    description: "Probes every configured connection, stores the results, audits up/down changes",
    schedule: "* * * * *",
    timeoutSeconds: 60,
    // the next tick is a minute away: a failed probe run is not worth retrying
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    singleton: true,
    runsInCron: true,
    enabled: (deps) => deps.env.PROBE_INTERVAL_SECONDS > 0,
    run: async ({ deps, trigger }) => {
      const run = await runProbeJob(deps, { trigger: trigger === "schedule" ? "scheduler" : "cron" });
      const down = run.results.filter((r) => r.state === "down").map((r) => r.id);
      return { ran: run.ran, probed: run.results.length, down, changes: run.changes };
    },
  },
];
