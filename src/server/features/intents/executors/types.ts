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
  /** Must finish (or fail) before `signal` aborts; never throws, failures are outcomes. */
  execute(job: ExecutionJob, signal: AbortSignal): Promise<ExecutionOutcome>;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.name === "TimeoutError" || err.name === "AbortError" ? `timed out (${err.message})` : err.message;
  return String(err);
}
