/**
 * Runs once per server process before it serves: opens the database (migrating it), runs startup,
 * and on a long-running server (`next dev`, `next start`) runs the jobs: works the queue and sends
 * the schedules' ticks, sharing both with every other instance and worker on the same database.
 * On Vercel (or with JOBS_RUNNER=off) the cron routes and a separate worker do that instead.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getDeps } = await import("@/server/deps");
  const { runStartup } = await import("@/server/jobs/startup");
  const deps = await getDeps();
  await runStartup(deps);
  // The CLI's way in while this process holds the embedded database: a loopback-only listener of its own.
  if (deps.database.kind === "pglite") {
    const { startAdminListener } = await import("@/server/api/admin-listener");
    await startAdminListener(deps);
  }
  const { runnerEnabled } = await import("@/server/jobs/trigger");
  if (!runnerEnabled(deps.env)) return;
  const { jobs } = await import("@/server/api/jobs");
  const { startProcessRunner } = await import("@/server/jobs/runner");
  await startProcessRunner(deps, jobs, { work: true, schedule: true }).catch((err: Error) => console.warn(`[jobs] the job runner did not start: ${err.message}`));
}
