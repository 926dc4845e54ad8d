import { eventFor, type CallContext } from "@/server/core/audit/log";
import { systemActor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import { keepAlive } from "@/server/jobs/background";
import type { IntentAction } from "@/server/features/policy/schema";
import { ACTION_SPECS } from "./actions";
import { EXECUTOR_TIMEOUT_MS, executorsFromEnv, type ExecutorSet } from "./executors";
import { errorText } from "./executors/types";
import { expireDue } from "./expiry";
import { notifyExecutionOutcome } from "./notify";
import type { ExecutionResult } from "./schema";
import { compareAndSet } from "./store";

/**
 * Runs an approved intent at most once: `approved → executing` is a compare-and-set committed
 * (with its audit entry) before any side effect, so of any number of callers exactly one proceeds.
 * The executor then runs outside any transaction, bounded by its timeout, and the outcome is
 * recorded by `executing → succeeded|failed`.
 */
const running = new Map<string, Promise<void>>();

/** For tests and graceful shutdown: the execution this process started for an intent, if any. */
export function executionOf(id: string): Promise<void> | undefined {
  return running.get(id);
}

export async function startExecution(deps: Deps, call: CallContext, id: string, executors: ExecutorSet = executorsFromEnv(deps.env)): Promise<boolean> {
  const system: CallContext = { ...call, actor: systemActor("executor") };
  const claimed = await deps.audit.transact(async (tx, log) => {
    const row = await tx.intent.findUnique({ where: { id } });
    if (!row || row.status !== "approved") return null;
    const executor = executors[ACTION_SPECS[row.action as IntentAction].executor];
    const result: ExecutionResult = { ok: false, dryRun: executor.dryRun, executor: executor.name, summary: "Running", requests: [], startedAt: new Date().toISOString() };
    if (!(await compareAndSet(tx, id, "approved", "executing", row.version, result))) return null;
    await log(eventFor(system, { action: "intents.execute", resourceType: "intent", target: id, detail: { executor: executor.name, dryRun: executor.dryRun } }));
    return { row: { ...row, version: row.version + 1 }, executor, result };
  });
  if (!claimed) return false;
  const { row, executor, result } = claimed;
  const job = { action: row.action as IntentAction, target: row.target as Record<string, string>, params: row.params as Record<string, unknown> };
  const work = (async () => {
    const outcome = await executor.execute(job, AbortSignal.timeout(EXECUTOR_TIMEOUT_MS[executor.name])).catch((err: unknown) => ({
      ok: false,
      dryRun: executor.dryRun,
      summary: `The executor crashed: ${errorText(err)}`,
      requests: [],
      error: errorText(err),
    }));
    const final: ExecutionResult = { ...result, ...outcome, executor: executor.name, finishedAt: new Date().toISOString() };
    await deps.audit.transact(async (tx, log) => {
      const to = outcome.ok ? "succeeded" : "failed";
      if (!(await compareAndSet(tx, id, "executing", to, row.version, final))) return;
      await log(
        eventFor(system, {
          action: `intents.${to}`,
          resourceType: "intent",
          target: id,
          outcome: outcome.ok ? "success" : "failure",
          status: outcome.ok ? 200 : 502,
          detail: { summary: final.summary, dryRun: final.dryRun, requests: final.requests.length },
        }),
      );
      await notifyExecutionOutcome(tx, row, final);
    });
  })()
    .catch((err: unknown) => console.error(`[intents] execution of ${id} could not be recorded:`, err))
    .finally(() => running.delete(id));
  running.set(id, work);
  // on a serverless platform the function must outlive the response until the outcome is recorded
  keepAlive(work);
  return true;
}

/** Lets a request wait briefly for a quick (e.g. dry-run) execution, so its answer shows the outcome. */
export async function waitBriefly(id: string, ms: number): Promise<void> {
  const work = running.get(id);
  if (work) await Promise.race([work, new Promise((r) => setTimeout(r, ms).unref?.())]);
}

/**
 * Housekeeping, safe to run anywhere and twice at once: expires pending intents past their expiry
 * (database clock), starts approved ones whose start was lost, and fails executions abandoned by a
 * dead process (never retried: at most once).
 */
export async function sweepIntents(deps: Deps, call: CallContext): Promise<{ expired: number; started: number; abandoned: number }> {
  const expired = (await expireDue(deps, call, {})).length;
  const stuck = await deps.db.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "intent" WHERE "status" = 'approved' AND "updated_at" < now() - interval '1 minute' ORDER BY "updated_at" LIMIT 50`);
  let started = 0;
  for (const { id } of stuck) if (await startExecution(deps, call, id)) started++;
  // an execution still `executing` a minute past its executor's timeout was left by a process that stopped
  const graceSeconds = 60;
  const lost = await deps.db.$queryRawUnsafe<{ id: string; version: number; result: ExecutionResult | null; action: string; target: Record<string, unknown>; age: number }[]>(
    `SELECT "id", "version", "result", "action", "target", extract(epoch FROM now() - "updated_at")::int AS age FROM "intent"
     WHERE "status" = 'executing' AND "updated_at" < now() - make_interval(secs => $1) ORDER BY "updated_at" LIMIT 50`,
    Math.min(...Object.values(EXECUTOR_TIMEOUT_MS)) / 1000 + graceSeconds,
  );
  let abandoned = 0;
  for (const l of lost) {
    const executor = l.result?.executor as keyof typeof EXECUTOR_TIMEOUT_MS | undefined;
    const timeoutSeconds = (executor && EXECUTOR_TIMEOUT_MS[executor] ? EXECUTOR_TIMEOUT_MS[executor] : Math.max(...Object.values(EXECUTOR_TIMEOUT_MS))) / 1000;
    if (l.age < timeoutSeconds + graceSeconds) continue;
    const summary = `Abandoned: still executing ${l.age} s after it started, past its ${timeoutSeconds} s timeout (the process running it stopped). Not run again: check the target system before proposing again.`;
    const final = {
      ...(l.result ?? { dryRun: false, executor: "unknown", requests: [], startedAt: "" }),
      ok: false,
      summary,
      error: "abandoned",
      finishedAt: new Date().toISOString(),
    } as ExecutionResult;
    await deps.audit.transact(async (tx, log) => {
      if (!(await compareAndSet(tx, l.id, "executing", "failed", l.version, final))) return;
      abandoned++;
      await log(
        eventFor(
          { ...call, actor: systemActor("executor") },
          { action: "intents.failed", resourceType: "intent", target: l.id, outcome: "failure", status: 504, detail: { summary, reason: "timeout" } },
        ),
      );
      await notifyExecutionOutcome(tx, l, final);
    });
  }
  return { expired, started, abandoned };
}
