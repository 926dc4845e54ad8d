import { assertSchedule } from "./schedule";
import type { JobDefinition } from "./types";

/**
 * The jobs this process knows, registered once by the composition above the features (the same
 * list the worker, the cron route and the in-process runner use). Read through here by code that
 * sits below that composition: the cron monitor, the status page, features asking which jobs are late.
 */
const holder = globalThis as unknown as { __ooJobs?: ReadonlyMap<string, JobDefinition> };

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function validateJobs(defs: readonly JobDefinition[]): ReadonlyMap<string, JobDefinition> {
  const byName = new Map<string, JobDefinition>();
  for (const d of defs) {
    if (!NAME.test(d.name) || d.name.length > 40) throw new Error(`Job name "${d.name}" must be kebab-case, at most 40 characters.`);
    if (byName.has(d.name)) throw new Error(`Two jobs are named "${d.name}".`);
    if (d.schedule) assertSchedule(d.schedule);
    if (d.timeoutSeconds < 1 || d.retry.limit < 0 || d.retry.delaySeconds < 0) throw new Error(`Job "${d.name}": timeout and retry figures must be positive.`);
    byName.set(d.name, d);
  }
  return byName;
}

export function registerJobs(defs: readonly JobDefinition[]): ReadonlyMap<string, JobDefinition> {
  holder.__ooJobs = validateJobs(defs);
  return holder.__ooJobs;
}

/** Every registered job, by name (a Map: a name like "constructor" finds nothing). */
export function registeredJobs(): ReadonlyMap<string, JobDefinition> {
  return holder.__ooJobs ?? new Map();
}
