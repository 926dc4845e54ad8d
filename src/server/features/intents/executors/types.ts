import type { IntentAction } from "@/server/features/policy/schema";
import type { RecordedRequest } from "../schema";

/** One executor per outside system; each action names its executor in actions.ts. */
export interface ExecutionOutcome {
  ok: boolean;
  dryRun: boolean;
  summary: string;
  /** Exactly what was sent (or, in dry-run, what would have been): method, URL, body; never credentials. */
  requests: RecordedRequest[];
  response?: unknown;
  error?: string;
}

export interface ExecutionJob {
  action: IntentAction;
  target: Record<string, string | undefined>;
  params: Record<string, unknown>;
}

export interface Executor {
  readonly name: "github" | "cloudways";
  readonly dryRun: boolean;
  /** Why it runs dry (missing credentials, or EXECUTORS not set to live); null when live. */
  readonly dryRunReason: string | null;
  /** Must finish (or fail) before `signal` aborts; never throws, failures are outcomes. */
  execute(job: ExecutionJob, signal: AbortSignal): Promise<ExecutionOutcome>;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.name === "TimeoutError" || err.name === "AbortError" ? `timed out (${err.message})` : err.message;
  return String(err);
}

/** Live only when executions are switched on (EXECUTORS=live) and the credentials are there; else why not. */
export function dryRunReasonOf(opts: { live: boolean; missingCredentials: string | null }): string | null {
  return opts.missingCredentials ?? (opts.live ? null : "EXECUTORS is not live");
}
