import { connectionsJobs } from "@/server/features/connections/jobs";
import { intentsJobs } from "@/server/features/intents/jobs";
import { reposJobs } from "@/server/features/repos/jobs";
import { registerJobs } from "@/server/jobs/registry";

/**
 * Every feature's jobs, composed as the root router composes their routers: the list the worker,
 * the in-process runner, the cron route and the cron monitor all use. Registering it lets the layers
 * below (the monitor, the status page) read it without knowing any feature.
 */
export const jobDefinitions = [...connectionsJobs, ...reposJobs, ...intentsJobs];

export const jobs = registerJobs(jobDefinitions);
