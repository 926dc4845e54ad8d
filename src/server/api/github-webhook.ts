import { AppError } from "@/server/core/errors";
import { acceptDelivery, verifySignature, WEBHOOK_MAX_BYTES } from "@/server/features/github/webhook";
import { enqueueIndexRun } from "@/server/features/repos/jobs";
import { guardRoute } from "./guard";
import { readBodyCapped } from "./http";

/**
 * POST /api/github/webhook. Order matters: configuration (503 without GITHUB_WEBHOOK_SECRET) and the
 * signature header's presence (401) before a byte of the body is read, then size (413), then the
 * signature over the raw body (401), and only then anything is parsed or stored. Refused deliveries
 * leave no trace in the database (an unsigned caller must not be able to fill it); they are logged
 * with their delivery id only.
 */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export const handleGitHubWebhook = guardRoute({ action: "github.webhook", surface: "webhook", caller: "none", auditRefusals: "none" }, async (g) => {
  const { req, deps, requestId } = g;
  const delivery = req.headers.get("x-github-delivery");
  g.action = `github.webhook ${delivery?.slice(0, 100) ?? "(no delivery id)"}`;
  const secret = deps.env.GITHUB_WEBHOOK_SECRET;
  if (!secret) throw new AppError("UNAVAILABLE", "Webhooks are off: set GITHUB_WEBHOOK_SECRET to the secret configured on the GitHub webhook.");
  const signature = req.headers.get("x-hub-signature-256");
  if (!signature) throw new AppError("UNAUTHORIZED", "X-Hub-Signature-256 is missing.");
  const raw = await readBodyCapped(req, WEBHOOK_MAX_BYTES);
  if (!(await verifySignature(secret, raw, signature))) throw new AppError("UNAUTHORIZED", "X-Hub-Signature-256 does not match the body and GITHUB_WEBHOOK_SECRET.");
  const event = req.headers.get("x-github-event") ?? "";
  if (!delivery || !DELIVERY_ID.test(delivery)) throw new AppError("BAD_REQUEST", "X-GitHub-Delivery is missing or malformed.");
  if (!EVENT_NAME.test(event)) throw new AppError("BAD_REQUEST", "X-GitHub-Event is missing or malformed.");
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Set the webhook's content type to application/json.");
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw new AppError("BAD_REQUEST", "The body is not JSON.");
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) throw new AppError("BAD_REQUEST", "The body is not a JSON object.");
  const result = await acceptDelivery(deps, { id: delivery, event, payload: payload as Record<string, unknown>, requestId, ip: g.ip });
  // the queued index run (committed with the delivery) is handed to the job queue; the nightly run catches one whose send is lost
  if (result.reindex === "queued" && result.runId) {
    const run = await deps.db.indexRun.findUnique({ where: { id: result.runId }, select: { repoId: true } });
    if (run) await enqueueIndexRun(deps, run.repoId);
  }
  return Response.json({ delivery, ...result }, { status: result.duplicate ? 200 : 202, headers: { "cache-control": "no-store" } });
});
