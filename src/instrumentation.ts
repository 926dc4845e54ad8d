/** Runs once per server process before it serves: opens the database (migrating it) and runs startup. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getDeps } = await import("@/server/deps");
  const { runStartup } = await import("@/server/jobs/startup");
  const deps = await getDeps();
  await runStartup(deps, Number(process.env.PORT ?? 3000));
}
