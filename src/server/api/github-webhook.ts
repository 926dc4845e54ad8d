import { AppError } from "@/server/core/errors";
import { getDeps } from "@/server/deps";
import { enqueueIndexRun } from "@/server/features/repos/jobs";
import { acceptDelivery, verifySignature, WEBHOOK_MAX_BYTES } from "@/server/features/github/webhook";
import { appErrorResponse, clientIp, readBodyCapped, requestIdOf } from "./http";

/**
 * POST /api/github/webhook. Order matters: size (413), then configuration (503 without
 * GITHUB_WEBHOOK_SECRET), then the signature over the raw body (401), and only then anything is
 * parsed or stored. Refused deliveries leave no trace in the database (an unsigned caller must
 * not be able to fill it); they are logged with their delivery id only.
 */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export async function handleGitHubWebhook(req: Request): Promise<Response> {
  const requestId = requestIdOf(req);
  const delivery = req.headers.get("x-github-delivery");
  try {
    const deps = await getDeps();
    const raw = await readBodyCapped(req, WEBHOOK_MAX_BYTES);
    const secret = deps.env.GITHUB_WEBHOOK_SECRET;
    if (!secret) throw new AppError("UNAVAILABLE", "Webhooks are off: set GITHUB_WEBHOOK_SECRET to the secret configured on the GitHub webhook.");
    if (!(await verifySignature(secret, raw, req.headers.get("x-hub-signature-256")))) {
      throw new AppError("UNAUTHORIZED", req.headers.get("x-hub-signature-256") ? "X-Hub-Signature-256 does not match the body and GITHUB_WEBHOOK_SECRET." : "X-Hub-Signature-256 is missing.");
    }
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
    const result = await acceptDelivery(deps, { id: delivery, event, payload: payload as Record<string, unknown>, requestId, ip: clientIp(req, deps.env) });
    if (result.reindex === "queued" && result.runId) {
      const run = await deps.db.indexRun.findUnique({ where: { id: result.runId }, select: { repoId: true } });
      if (run) await enqueueIndexRun(deps, run.repoId);
    }
    return Response.json({ delivery, ...result }, { status: result.duplicate ? 200 : 202, headers: { "x-request-id": requestId, "cache-control": "no-store" } });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    console.warn(`[webhook] delivery ${delivery?.slice(0, 100) ?? "(none)"} refused: ${err.status} ${err.message}`);
    return appErrorResponse(err, requestId);
  }
}
