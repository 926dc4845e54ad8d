import type { JobDefinition } from "@/server/jobs/types";
import { drainOutbox } from "./drain";

/** Delivers the notification outbox every minute; each run works for at most 45 s, then leaves the rest to the next. */
export const notificationsJobs: JobDefinition[] = [
  {
    name: "notify-outbox",
    description: "Delivers queued notifications to Slack, email and the signed webhook (retries with backoff; dead letters after too many tries).",
    schedule: "* * * * *",
    timeoutSeconds: 60,
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    singleton: true,
    runsInCron: true,
    run: async (ctx) => {
      const summary = await drainOutbox(ctx.deps, { signal: ctx.signal });
      const sent = Object.values(summary.channels).reduce((n, c) => n + c.sent, 0);
      if (summary.routedEvents || sent) ctx.log(`${summary.routedEvents} events routed, ${sent} deliveries sent`);
      return { ...summary };
    },
  },
];
