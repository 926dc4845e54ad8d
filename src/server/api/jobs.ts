import { auditJobs } from "@/server/features/audit/jobs";
import { connectionsJobs } from "@/server/features/connections/jobs";
import { contextJobs } from "@/server/features/context/jobs";
import { githubJobs } from "@/server/features/github/jobs";
import { intentsJobs } from "@/server/features/intents/jobs";
import { jobsJobs } from "@/server/features/jobs/jobs";
import { notificationsJobs } from "@/server/features/notifications/jobs";
import { reposJobs } from "@/server/features/repos/jobs";
import { suggestionsJobs } from "@/server/features/suggestions/jobs";
import { registerJobs } from "@/server/jobs/registry";

/**
 * Every feature's jobs, composed as the root router composes their routers: the list the worker,
 * the in-process runner, the cron route and the cron monitor all use. Registering it lets the layers
 * below (the monitor, the status page) read it without knowing any feature.
 */
export const jobDefinitions = [...connectionsJobs, ...reposJobs, ...intentsJobs, ...contextJobs, ...suggestionsJobs, ...notificationsJobs, ...jobsJobs, ...auditJobs, ...githubJobs];

export const jobs = registerJobs(jobDefinitions);
