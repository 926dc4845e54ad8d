import { actorFields } from "@/server/core/audit/log";
import { AppError, ERROR_TABLE } from "@/server/core/errors";
import { recordCall } from "@/server/core/metrics";
import { t, appErrorOf, toTrpcError } from "../init";

/**
 * The audit entry of a call: every REST and MCP call, every dashboard mutation, every auth failure.
 * Outermost middleware, so it sees the final outcome and latency. A procedure whose service audits
 * its change in the change's transaction (meta.audit = "service") is logged here only when it fails.
 */
export const auditCall = t.middleware(async ({ ctx, path, type, meta, next, getRawInput }) => {
  const started = performance.now();
  let result = await next();
  // A service's AppError gets the tRPC code of its status, so every surface answers the right one.
  if (!result.ok && result.error.cause instanceof AppError && result.error.code !== ERROR_TABLE[result.error.cause.code].trpc) {
    result = { ...result, error: toTrpcError(result.error.cause) };
  }
  const error = result.ok ? null : appErrorOf(result.error);
  recordCall(ctx.deps.db, { procedure: path, latencyMs: performance.now() - started, ok: result.ok, status: error ? error.status : 200 });
  const authFailure = error?.code === "UNAUTHORIZED" || error?.code === "FORBIDDEN";
  const wanted = ctx.surface !== "trpc" || type === "mutation" || authFailure;
  if (!wanted || (result.ok && meta?.audit === "service")) return result;
  await ctx.deps.audit.record({
    ...actorFields(ctx.actor),
    action: path,
    resourceType: meta?.resource ?? "api",
    outcome: !error ? "success" : authFailure ? "denied" : "failure",
    status: error ? error.status : 200,
    latencyMs: performance.now() - started,
    requestId: ctx.requestId,
    surface: ctx.surface,
    ip: ctx.ip,
    input: await getRawInput().catch(() => null),
    detail: error ? { code: error.code, message: error.message } : undefined,
  });
  return result;
});
