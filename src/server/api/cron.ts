import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import { triggerFromCron } from "@/server/jobs/trigger";
import { guardRoute } from "./guard";
import { jobs } from "./jobs";

/**
 * /api/cron/<job> for serverless schedulers (Vercel Cron sends `Authorization: Bearer $CRON_SECRET`).
 * Without CRON_SECRET every call is refused. A call stands for its schedule's latest tick: a short job
 * runs in the call, a long one is queued for a worker, and a tick already run or queued is not run
 * again. Refusals are audited; runs are recorded as job runs. Every answer that is not a run, known
 * error or not, is the one error body.
 */
function sameSecret(sent: string, expected: string): boolean {
  const a = createHash("sha256").update(sent).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function authorize(req: Request, deps: Deps): void {
  const secret = deps.env.CRON_SECRET;
  if (!secret) throw new AppError("UNAUTHORIZED", "Cron is off: set CRON_SECRET and send it as Authorization: Bearer <secret>.");
  const auth = req.headers.get("authorization") ?? "";
  const sent = auth.startsWith("Bearer ") ? auth.slice(7).trim() : "";
  if (!sent || !sameSecret(sent, secret)) throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer $CRON_SECRET.");
}

export const handleCron = guardRoute({ action: "cron", surface: "system", caller: "none" }, async (g, job: string) => {
  const name = job.replace(/[^\w-]/g, "").slice(0, 40) || "unknown";
  g.action = `cron.${name}`;
  authorize(g.req, g.deps);
  // a Map: "constructor" or "__proto__" name no job
  const def = name === job ? jobs.get(name) : undefined;
  if (!def) throw new AppError("NOT_FOUND", `No cron job "${name}"; jobs: ${[...jobs.keys()].join(", ")}.`);
  const run = await triggerFromCron(g.deps, def);
  return Response.json({ job: def.name, ...run }, { headers: { "cache-control": "no-store" } });
});
