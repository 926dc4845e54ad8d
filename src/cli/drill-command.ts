import { formatLoadReport, runLoadDrill } from "./drill-load";
import { formatRollbackReport, runRollbackDrill } from "./drill-rollback";
import { CliError } from "./transport";

interface DrillFlags {
  duration?: string;
  connections?: string;
  url?: string;
  key?: string;
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a whole number ≥ 1.`);
  return n;
}

/** `drill load` and `drill rollback`: each prints its report and fails the command when the drill fails. */
export async function drillCommand(which: string, flags: DrillFlags): Promise<void> {
  const url = flags.url ?? process.env.ORCHESTRATOR_URL;
  const key = flags.key ?? process.env.ORCHESTRATOR_API_KEY;
  if (!url || !key) throw new CliError("drills run against a deployment: set ORCHESTRATOR_URL and ORCHESTRATOR_API_KEY (or --url and --key).");
  if (which === "load") {
    const report = await runLoadDrill({ url, key, durationSeconds: positive("--duration", flags.duration, 60), connections: positive("--connections", flags.connections, 100) });
    console.log(formatLoadReport(report));
    if (!report.ok) throw new CliError("the load drill failed (see above).");
    return;
  }
  const report = await runRollbackDrill({ url, key });
  console.log(formatRollbackReport(report));
  if (!report.ok) throw new CliError("the rollback drill failed (see above).");
}
