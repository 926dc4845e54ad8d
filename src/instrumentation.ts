/** Runs once per server process before it serves: opens the database (migrating it) and runs startup. */
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
  // Long-running servers probe their connections on a schedule; serverless ones (Vercel) use /api/cron/probe.
  if (deps.env.PROBE_INTERVAL_SECONDS > 0 && !process.env.VERCEL) {
    const { startProbeScheduler } = await import("@/server/jobs/scheduler");
    startProbeScheduler(deps, deps.env.PROBE_INTERVAL_SECONDS);
  }
  // ...and carry out queued index runs (webhook pushes, Reindex); serverless ones use /api/cron/index-repos.
  if (!process.env.VERCEL) {
    const { startIndexWorker } = await import("@/server/jobs/index-repo/worker");
    startIndexWorker(deps, 15);
  }
}
