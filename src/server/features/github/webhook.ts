import { verify } from "@octokit/webhooks-methods";
import type { AuditEventInput, Surface } from "@/server/core/audit/log";
import type { Deps } from "@/server/deps";
import type { Tx } from "@/server/adapters/db";
import { githubSnapshots } from "./service";

/**
 * GitHub deliveries, once each: the delivery id is inserted first (ON CONFLICT DO NOTHING), so a
 * redelivery finds it and changes nothing; the audit entry and any queued reindex commit in the
 * same transaction. Indexing itself never runs here (GitHub waits at most 10 s): a push to a
 * registered repository's default branch only queues an `index_run` that the indexer picks up.
 */

/** GitHub caps payloads at 25 MB and drops larger ones itself, so nothing legitimate is bigger. */
export const WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

/** X-Hub-Signature-256 over the raw body (HMAC-SHA256, compared in constant time by @octokit/webhooks-methods). */
export async function verifySignature(secret: string, rawBody: string, signature: string | null): Promise<boolean> {
  if (!signature || !signature.startsWith("sha256=")) return false;
  try {
    return await verify(secret, rawBody, signature);
  } catch {
    return false;
  }
}

export interface Delivery {
  id: string;
  event: string;
  payload: Record<string, unknown>;
  requestId: string;
  ip: string | null;
}

export type ReindexOutcome = "queued" | "already_queued" | "not_default_branch" | "unregistered" | "branch_deleted";

export interface DeliveryResult {
  duplicate: boolean;
  action: string;
  reindex: ReindexOutcome | null;
  runId: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/** What an event is about, as the audit target: `owner/name`, `owner/name@<ref>`, `owner/name#<pr>`, `owner/name/runs/<id>`. */
export function describeEvent(event: string, payload: Record<string, unknown>) {
  const repo = str(obj(payload.repository).full_name);
  const action = str(payload.action);
  const pr = num(obj(payload.pull_request).number);
  const issue = num(obj(payload.issue).number);
  const run = obj(payload.workflow_run);
  const runId = num(run.id);
  const ref = str(payload.ref);
  let target = repo;
  if (repo && pr !== null) target = `${repo}#${pr}`;
  else if (repo && issue !== null) target = `${repo}#${issue}`;
  else if (repo && runId !== null) target = `${repo}/runs/${runId}`;
  else if (repo && ref) target = `${repo}@${ref}`;
  return {
    action: `github.${event}${action ? `.${action}` : ""}`,
    target,
    detail: {
      repo,
      ref,
      before: str(payload.before),
      after: str(payload.after),
      pullRequest: pr,
      issue,
      workflowRun: runId === null ? null : { id: runId, name: str(run.name), status: str(run.status), conclusion: str(run.conclusion), branch: str(run.head_branch) },
      sender: str(obj(payload.sender).login),
    },
  };
}

async function queueReindex(tx: Tx, payload: Record<string, unknown>): Promise<{ reindex: ReindexOutcome; runId: string | null }> {
  const fullName = str(obj(payload.repository).full_name) ?? "";
  // Lock the repo row: two pushes at once queue one run, not two.
  const locked = await tx.$queryRaw<
    { id: string; default_branch: string; index_state: string }[]
  >`SELECT id, default_branch, index_state FROM repo WHERE lower(id) = lower(${fullName}) AND source = 'github' FOR UPDATE`;
  const repo = locked[0];
  if (!repo) return { reindex: "unregistered", runId: null };
  if (payload.ref !== `refs/heads/${repo.default_branch}`) return { reindex: "not_default_branch", runId: null };
  if (payload.deleted === true) return { reindex: "branch_deleted", runId: null };
  const pending = await tx.indexRun.findFirst({ where: { repoId: repo.id, status: "queued" }, select: { id: true } });
  if (pending) return { reindex: "already_queued", runId: pending.id };
  const run = await tx.indexRun.create({ data: { repoId: repo.id, trigger: "webhook", status: "queued", full: false, toSha: str(payload.after) } });
  if (repo.index_state !== "indexing") await tx.repo.update({ where: { id: repo.id }, data: { indexState: "queued", updatedAt: new Date() } });
  return { reindex: "queued", runId: run.id };
}

export async function acceptDelivery(deps: Deps, d: Delivery): Promise<DeliveryResult> {
  const described = describeEvent(d.event, d.payload);
  const result = await record(deps, d, described);
  // what GitHub told of the repository is older than this delivery (a push, a pull request, an issue)
  if (!result.duplicate && described.detail.repo) deps.snapshots.invalidate(githubSnapshots(described.detail.repo));
  return result;
}

function record(deps: Deps, d: Delivery, described: ReturnType<typeof describeEvent>): Promise<DeliveryResult> {
  return deps.audit.transact(async (tx, audit) => {
    const inserted = await tx.webhookDelivery.createMany({
      data: [{ id: d.id, event: d.event, action: str(d.payload.action), repoId: described.detail.repo }],
      skipDuplicates: true,
    });
    if (inserted.count === 0) return { duplicate: true, action: described.action, reindex: null, runId: null };
    const queued = d.event === "push" ? await queueReindex(tx, d.payload) : null;
    const event: AuditEventInput = {
      actorType: "github",
      actorId: described.detail.sender ?? "github",
      clientId: null,
      action: described.action,
      resourceType: "github",
      target: described.target,
      outcome: "success",
      status: 202,
      requestId: d.requestId,
      surface: "webhook" satisfies Surface,
      ip: d.ip,
      detail: { deliveryId: d.id, event: d.event, ...described.detail, ...(queued ? { reindex: queued.reindex, indexRunId: queued.runId } : {}) },
    };
    await audit(event);
    return { duplicate: false, action: described.action, reindex: queued?.reindex ?? null, runId: queued?.runId ?? null };
  });
}
