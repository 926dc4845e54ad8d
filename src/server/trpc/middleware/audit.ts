import { actorFields } from "@/server/core/audit/log";
import { AppError, ERROR_TABLE } from "@/server/core/errors";
import { illFormedTextAt } from "@/server/core/text";
import { recordCall } from "@/server/core/metrics";
import { t, appErrorOf, toTrpcError } from "../init";

/**
 * The audit entry of a call: every REST and MCP call, every dashboard mutation, every auth failure.
 * Outermost middleware, so it sees the final outcome and latency. A procedure whose service audits
 * its change in the change's transaction (meta.audit = "service") is logged here only when it fails.
 * It refuses unstorable text first (wellFormedInput), and hands refusals to the surface when the surface
 * audits a request's refusals together (ctx.refusals: the dashboard's batches).
 */
export const auditCall = t.middleware(async ({ ctx, path, type, meta, next, getRawInput }) => {
  const started = performance.now();
  let result = await wellFormedInput(getRawInput).then((refusal) => refusal ?? next());
  // A service's AppError gets the tRPC code of its status, so every surface answers the right one.
  if (!result.ok && result.error.cause instanceof AppError && result.error.code !== ERROR_TABLE[result.error.cause.code].trpc) {
    result = { ...result, error: toTrpcError(result.error.cause) };
  }
  const error = result.ok ? null : appErrorOf(result.error);
  recordCall(ctx.deps.db, { procedure: path, latencyMs: performance.now() - started, ok: result.ok, status: error ? error.status : 200 });
  const authFailure = error?.code === "UNAUTHORIZED" || error?.code === "FORBIDDEN";
  const wanted = ctx.surface !== "trpc" || type === "mutation" || authFailure;
  if (!wanted || (result.ok && meta?.audit === "service")) return result;
  if (error && ctx.refusals) {
    ctx.refusals.push({ action: path, resourceType: meta?.resource ?? "api", error, input: await getRawInput().catch(() => null) });
    return result;
  }
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

/**
 * Every surface's input passes here first (tRPC, REST and MCP call the same procedures): text holding a
 * lone UTF-16 surrogate (not Unicode) or NUL (which Postgres text cannot hold) is refused with 400
 * before any procedure or store sees it.
 */
async function wellFormedInput(getRawInput: () => Promise<unknown>) {
  const raw = await getRawInput().catch(() => undefined); // unparsable input is tRPC's own 400, later
  const at = illFormedTextAt(raw);
  if (at === null) return null;
  const error = toTrpcError(
    new AppError("BAD_REQUEST", `Invalid input: ${at} holds a lone UTF-16 surrogate (\\uD800–\\uDFFF without its pair) or a NUL character (\\u0000); send well-formed Unicode text without NUL.`),
  );
  // the shape of a failed next(): the rest of this middleware audits it like any refusal
  return { ok: false as const, error, marker: undefined as never };
}
