import { enqueueNotification } from "@/server/features/notifications/outbox";
import { lateJobs } from "@/server/jobs/monitor";
import type { JobDefinition } from "@/server/jobs/types";

/**
 * The cron monitor's own job: a scheduled job that has not succeeded within twice its interval is
 * told to people once per lateness (keyed by its last success, so a job late again after a success is
 * a new event), through the notifications outbox.
 */
export const jobsJobs: JobDefinition[] = [
  {
    name: "jobs-late-watch",
    description: "Tells people (notifications) about each scheduled job that has not succeeded within twice its interval",
    schedule: "*/5 * * * *",
    timeoutSeconds: 60,
    retry: { limit: 1, delaySeconds: 30, backoff: false },
    singleton: true,
    runsInCron: true,
    run: async ({ deps, log }) => {
      const now = new Date();
      let raised = 0;
      for (const job of await lateJobs(deps, { now })) {
        const lastSuccess = job.lastSuccessAt;
        const interval = (job.intervalSeconds ?? 0) * 1000;
        const expectedAt = lastSuccess && interval ? new Date(lastSuccess.getTime() + interval) : now;
        const id = await enqueueNotification(deps.db, {
          type: "job.late",
          data: {
            job: job.name,
            expectedAt: expectedAt.toISOString(),
            lateBySeconds: Math.max(0, Math.round((now.getTime() - expectedAt.getTime()) / 1000)),
            lastRunAt: job.lastRun?.startedAt.toISOString() ?? null,
          },
          dedupeKey: `job.late:${job.name}:${lastSuccess?.toISOString() ?? "never"}`,
        });
        if (id) {
          raised++;
          log(`${job.name} is late (last success ${lastSuccess?.toISOString() ?? "never"})`);
        }
      }
      return { raised };
    },
  },
];
