import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@/server/core/errors";
import { getDeps, type Deps } from "@/server/deps";
import { indexRepos } from "@/server/jobs/index-repo/jobs";
import { runProbeJob } from "@/server/jobs/probe";
import { appErrorResponse, auditRejection, clientIp, requestIdOf } from "./http";

/**
 * /api/cron/<job> for serverless schedulers (Vercel Cron sends `Authorization: Bearer $CRON_SECRET`).
 * Without CRON_SECRET every call is refused. Jobs are idempotent and lock themselves, so a retried
 * or overlapping call is harmless. Refusals are audited; runs are not (their effects are).
 */
const JOBS: Record<string, (deps: Deps) => Promise<unknown>> = {
  probe: async (deps) => {
    const run = await runProbeJob(deps, { trigger: "cron" });
    return {
      ran: run.ran,
      runId: run.runId,
      durationMs: run.durationMs,
      results: run.results.map((r) => ({ id: r.id, state: r.state, latencyMs: r.latencyMs, error: r.error })),
      changes: run.changes,
    };
  },
  // Incremental: a nightly run costs what changed since the last one. A run cut short by the
  // platform's time limit resumes where its last committed batch ended.
  "index-repos": async (deps) => {
    const outcomes = await indexRepos(deps, { trigger: "cron" });
    return {
      repos: outcomes.map((o) =>
        o.status === "succeeded"
          ? { repo: o.repoId, status: o.status, runId: o.result.runId, toSha: o.result.toSha, added: o.result.added, changed: o.result.changed, removed: o.result.removed, skipped: o.result.skipped, chunks: o.result.chunks, tokensEmbedded: o.result.tokensEmbedded, durationMs: o.result.durationMs }
          : { repo: o.repoId, status: o.status, error: o.error },
      ),
    };
  },
};

function sameSecret(sent: string, expected: string): boolean {
  const a = createHash("sha256").update(sent).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function handleCron(req: Request, job: string): Promise<Response> {
  const deps = await getDeps();
  const requestId = requestIdOf(req);
  const name = job.replace(/[^\w-]/g, "").slice(0, 40) || "unknown";
  try {
    const secret = deps.env.CRON_SECRET;
    if (!secret) throw new AppError("UNAUTHORIZED", "Cron is off: set CRON_SECRET and send it as Authorization: Bearer <secret>.");
    const auth = req.headers.get("authorization") ?? "";
    const sent = auth.startsWith("Bearer ") ? auth.slice(7).trim() : "";
    if (!sent || !sameSecret(sent, secret)) throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer $CRON_SECRET.");
    const run = JOBS[name];
    if (!run || name !== job) throw new AppError("NOT_FOUND", `No cron job "${name}"; jobs: ${Object.keys(JOBS).join(", ")}.`);
    const result = await run(deps);
    return Response.json({ job: name, ...(result as object) }, { headers: { "x-request-id": requestId, "cache-control": "no-store" } });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await auditRejection(deps, { requestId, actor: null, action: `cron.${name}`, error: err, ip: clientIp(req, deps.env), surface: "system" });
    return appErrorResponse(err, requestId);
  }
}
