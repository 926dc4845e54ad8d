import { hash, randomUUID } from "node:crypto";
import canonicalize from "canonicalize";
import type { Tx } from "@/server/adapters/db";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import { fitToBudget } from "@/server/core/paging";
import type { Deps } from "@/server/deps";
import { evaluate } from "@/server/features/policy/engine";
import { activePolicy } from "@/server/features/policy/service";
import { splitRepo } from "@/server/adapters/github/client";
import { ACTION_SPECS, factsOf, shaBranchesOf, type BranchesAtSha, type Payload } from "./actions";
import { startExecution } from "./execution";
import { expireDue } from "./expiry";
import { readIntent, readIntentPage } from "./read";
import { IDEMPOTENCY_KEY_PATTERN, requestHash, withIdempotency } from "./idempotency";
import { notifyApprovalRequested } from "./notify";
import type { IntentDto, ProposeInput } from "./schema";
import { compareAndSetOrConflict, dbNow, lockIntent, toDto } from "./store";

/** Who asked: an API client (all its keys) or a dashboard user. Ownership, policy and idempotency key off it. */
export interface Requester {
  type: "api_key" | "user";
  id: string;
  clientId: string | null;
  keyId: string | null;
  userId: string | null;
  /** What policy `clients` globs match. */
  policyClient: string;
}

export function requesterOf(actor: Actor): Requester {
  if (actor.type === "api_key") return { type: "api_key", id: actor.clientId, clientId: actor.clientId, keyId: actor.keyId, userId: null, policyClient: actor.clientId };
  if (actor.type === "user") return { type: "user", id: actor.id, clientId: null, keyId: null, userId: actor.id, policyClient: `user:${actor.email}` };
  throw new AppError("FORBIDDEN", "Only an API client or a signed-in user can propose intents.");
}

/** Each action's own strict schemas; 400 naming the field when the agent got it wrong. */
export function parsePayload(input: ProposeInput): Payload {
  const spec = ACTION_SPECS[input.action];
  const target = spec.target.safeParse(input.target);
  const params = spec.params.safeParse(input.params ?? {});
  const issues = [
    ...(target.success ? [] : target.error.issues.map((i) => `target.${i.path.join(".") || "(root)"}: ${i.message}`)),
    ...(params.success ? [] : params.error.issues.map((i) => `params.${i.path.join(".") || "(root)"}: ${i.message}`)),
  ];
  if (!target.success || !params.success) throw new AppError("BAD_REQUEST", `Invalid ${input.action} intent: ${issues.join("; ")}`, { issues });
  return { action: input.action, target: target.data as Payload["target"], params: params.data as Record<string, unknown>, reason: input.reason };
}

export function payloadHash(p: Payload, requester: Requester): string {
  const text = canonicalize({ action: p.action, target: p.target, params: p.params, reason: p.reason, requester: { type: requester.type, id: requester.id } });
  return hash("sha256", text ?? "", "hex");
}

/** GitHub's answer to "which branches have this commit as their head", when a token is configured. */
export function branchesAtSha(deps: Pick<Deps, "github">): BranchesAtSha | null {
  const github = deps.github;
  if (!github) return null;
  return async (repo, sha) => {
    const res = await github.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/branches-where-head", { ...splitRepo(repo), commit_sha: sha });
    return (res.data as { name: string }[]).map((b) => b.name);
  };
}

/** Evaluate without creating: "may I?" before asking. */
export async function checkIntent(deps: Deps, actor: Actor, input: ProposeInput, now?: Date) {
  const payload = parsePayload(input);
  const policy = await activePolicy(deps.db);
  const shaBranches = await shaBranchesOf(payload, branchesAtSha(deps));
  const result = evaluate(factsOf(payload, shaBranches), { client: requesterOf(actor).policyClient }, policy.rules, now ?? (await dbNow(deps.db)));
  return { ...result, policyVersion: policy.version };
}

export interface ProposeOptions {
  idempotencyKey?: string | null;
  /** The policy's clock; the database clock when omitted. Expiry is counted from it. */
  now?: Date;
  /** Test-only: runs inside the proposal's transaction after the intent row, then after its audit row, is written. */
  inTransaction?: (tx: Tx, stage: "intent" | "audit") => Promise<void>;
}

export async function proposeIntent(deps: Deps, call: CallContext, input: ProposeInput, opts: ProposeOptions = {}): Promise<IntentDto> {
  const requester = requesterOf(call.actor);
  const payload = parsePayload(input);
  const key = opts.idempotencyKey ?? null;
  if (key === null) return create(deps, call, requester, payload, opts, null);
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw new AppError("BAD_REQUEST", "Idempotency-Key must be 1–255 printable ASCII characters.");
  const scope = requester.type === "api_key" ? requester.id : `user:${requester.id}`;
  return withIdempotency<IntentDto>(
    deps.db,
    { scope, key, hash: requestHash("intents.propose", input) },
    (complete) => create(deps, call, requester, payload, opts, complete),
    async (replayed) => {
      await deps.audit.record(eventFor(call, { action: "intents.propose.replay", resourceType: "intent", target: replayed.id, detail: { idempotencyKey: key } }));
    },
  );
}

async function create(
  deps: Deps,
  call: CallContext,
  requester: Requester,
  payload: Payload,
  opts: ProposeOptions,
  complete: ((tx: Tx, response: IntentDto) => Promise<void>) | null,
): Promise<IntentDto> {
  const id = randomUUID();
  const shaBranches = await shaBranchesOf(payload, branchesAtSha(deps));
  const dto = await deps.audit.transact(async (tx, log) => {
    const now = opts.now ?? (await dbNow(tx));
    const policy = await activePolicy(tx);
    const evaluation = evaluate(factsOf(payload, shaBranches), { client: requester.policyClient }, policy.rules, now);
    const status = evaluation.decision === "allow" ? "approved" : evaluation.decision === "deny" ? "denied" : "pending_approval";
    const row = await tx.intent.create({
      data: {
        id,
        requesterType: requester.type,
        requesterId: requester.id,
        clientId: requester.clientId,
        keyId: requester.keyId,
        requesterUserId: requester.userId,
        action: payload.action,
        target: payload.target,
        params: payload.params as object,
        reason: payload.reason,
        payloadHash: payloadHash(payload, requester),
        status,
        decision: evaluation.decision,
        ruleId: evaluation.rule,
        trace: evaluation.trace,
        policyVersion: policy.version,
        requiredApprovals: evaluation.approvals?.count ?? 0,
        approverRoles: evaluation.approvals?.roles ?? [],
        expiresAt: evaluation.approvals ? new Date(now.getTime() + evaluation.approvals.expiresInMinutes * 60_000) : null,
        createdAt: now,
        updatedAt: now,
      },
      include: { approvals: true },
    });
    await opts.inTransaction?.(tx, "intent");
    await log(
      eventFor(call, {
        action: "intents.propose",
        resourceType: "intent",
        target: id,
        outcome: status === "denied" ? "denied" : "success",
        detail: { action: payload.action, decision: evaluation.decision, rule: evaluation.rule, policyVersion: policy.version, status },
      }),
    );
    await opts.inTransaction?.(tx, "audit");
    if (status === "pending_approval") await notifyApprovalRequested(tx, row, call.actor);
    const out = toDto(row);
    if (complete) await complete(tx, out);
    return out;
  });
  // The answer is the committed proposal (what a replay returns too); an allowed intent starts executing now, poll for its result.
  if (dto.status === "approved") await startExecution(deps, call, id);
  return dto;
}

/** Another requester's intent is indistinguishable from a missing one: 404, never 403. */
async function loadOwn(deps: Deps, requester: Requester, id: string) {
  const row = await readIntent(deps, id);
  if (!row || row.requesterType !== requester.type || row.requesterId !== requester.id) throw new AppError("NOT_FOUND", `No intent ${id}.`);
  return row;
}

export async function getOwnIntent(deps: Deps, call: CallContext, id: string): Promise<IntentDto> {
  const requester = requesterOf(call.actor);
  const row = await loadOwn(deps, requester, id);
  // the read says whether the intent is past its expiry (database clock); it is read again only when it just expired
  if (!row.due) return toDto(row);
  const expired = await expireDue(deps, call, { id });
  return toDto(expired.length ? await loadOwn(deps, requester, id) : row);
}

export async function listOwnIntents(deps: Deps, call: CallContext, q: { status?: string; cursor?: string; limit: number }) {
  const requester = requesterOf(call.actor);
  const cursor = decodeCursor(q.cursor);
  const page = () => readIntentPage(deps, { requester, status: q.status, cursor, take: q.limit + 1 });
  let rows = await page();
  // each row says whether any of the requester's intents is due to expire; an empty page cannot, so it asks
  if (rows.length === 0 || rows[0]!.anyDue) {
    if ((await expireDue(deps, call, { requester })).length) rows = await page();
  }
  // A page is cut to GPT's response budget too (an intent carries up to ~20 KB of params): the cursor resumes after the last one sent.
  const { items, cut } = fitToBudget(rows.slice(0, q.limit).map(toDto));
  const last = rows[items.length - 1];
  return { items, nextCursor: (cut || rows.length > q.limit) && last ? encodeCursor(last.createdAt, last.id) : null };
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(iso ?? "");
  if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? "")) throw new AppError("BAD_REQUEST", "Invalid cursor.");
  return { at, id: id! };
}

/** The requester withdraws its own intent before it executes. */
export async function cancelIntent(deps: Deps, call: CallContext, id: string): Promise<IntentDto> {
  const requester = requesterOf(call.actor);
  await loadOwn(deps, requester, id);
  await expireDue(deps, call, { id });
  await deps.audit.transact(async (tx, log) => {
    const locked = await lockIntent(tx, id);
    if (!locked) throw new AppError("NOT_FOUND", `No intent ${id}.`);
    if (locked.status !== "pending_approval" && locked.status !== "approved") throw new AppError("CONFLICT", `This intent is ${locked.status}; only a pending or approved intent can be cancelled.`);
    await compareAndSetOrConflict(tx, id, locked.status, "cancelled", locked.version);
    await log(eventFor(call, { action: "intents.cancel", resourceType: "intent", target: id, detail: { from: locked.status } }));
  });
  return toDto(await loadOwn(deps, requester, id));
}
