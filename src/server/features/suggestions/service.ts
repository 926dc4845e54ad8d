import type { Tx } from "@/server/adapters/db";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import type { IntentDto } from "@/server/features/intents/schema";
import { proposeIntent } from "@/server/features/intents/service";
import { enqueueNotification } from "@/server/features/notifications/outbox";
import { runRules, type Finding } from "./rules";
import type { DailyOutput, FindingDto } from "./schema";
import { defaultSources, gatherSnapshot, type ScopeHistory, type SignalSources } from "./signals";
import { applyPlan, briefingDto, byAttention, dayBefore, dayOf, findingDto, liveFindingRows, reconcile, saveBriefing, storedDay, visibleAfter, type StoredSignals } from "./store";
import { rulesBriefing, summarizerFromEnv, type Summarizer } from "./summarizer";

/**
 * Daily suggestions: signals → rules → findings (persisted, aged, resolved) → the day's briefing.
 * A day is computed once (the first GET, or the daily job) unless someone refreshes; every
 * computation and every status change is audited in the transaction that makes it.
 */
export interface SuggestionsOptions {
  /** The clock (tests move it across days). */
  now?: Date;
  sources?: SignalSources;
  /** The model's briefing; undefined = from the env (OPENAI_API_KEY), null = the rules' text. */
  summarizer?: Summarizer | null;
}

/** What one computation changed: the lead's single place to hook notifications ("new critical suggestion", "daily briefing"). */
export interface Computation extends DailyOutput {
  /** Keys seen for the first time (or again after they were resolved). */
  appeared: FindingDto[];
  /** The critical ones among `appeared`, and critical findings that reopened because their evidence changed. */
  newCritical: FindingDto[];
  reopened: FindingDto[];
  /** Keys of findings no longer found. */
  resolved: string[];
}

// Serializes computations across instances (a transaction-scoped advisory lock); the number is this feature's own.
const COMPUTE_LOCK = 7_150_001;
const HISTORY_DAYS = 7;

async function scopeHistory(deps: Deps, day: string): Promise<ScopeHistory> {
  const rows = await deps.db.suggestionBriefing.findMany({
    where: { day: { gte: dayBefore(day, HISTORY_DAYS), lt: day } },
    orderBy: { day: "asc" },
  });
  return rows.map((r) => ({ day: r.day, scopes: ((r.signals ?? {}) as Partial<StoredSignals>).contextScopes ?? {} }));
}

function counts(findings: FindingDto[]): DailyOutput["counts"] {
  const open = findings.filter((f) => f.status === "open");
  return { critical: open.filter((f) => f.severity === "critical").length, warning: open.filter((f) => f.severity === "warning").length, info: open.filter((f) => f.severity === "info").length };
}

async function liveFindings(deps: Deps, actions: Record<string, string>, now: Date): Promise<FindingDto[]> {
  return (await liveFindingRows(deps)).map((r) => findingDto(r, actions, now)).sort(byAttention);
}

/** The stored day, or null when it has not been computed. Reads only. */
export async function readDay(deps: Deps, now = new Date()): Promise<DailyOutput | null> {
  const day = await storedDay(deps, dayOf(now));
  if (!day) return null;
  const findings = day.findings.map((r) => findingDto(r, day.briefing.actions as Record<string, string>, now)).sort(byAttention);
  return { computed: false, briefing: briefingDto(day.briefing), counts: counts(findings), findings };
}

/** GET /ai/suggestions/daily: today's set, computed once per day when missing. */
export async function dailySuggestions(deps: Deps, call: CallContext, opts: SuggestionsOptions = {}): Promise<Computation> {
  const stored = await readDay(deps, opts.now);
  return stored ? unchanged(stored) : computeSuggestions(deps, call, { ...opts, mode: "daily" });
}

const unchanged = (day: DailyOutput): Computation => ({ ...day, appeared: [], newCritical: [], reopened: [], resolved: [] });

/**
 * What people are told, in the computation's own transaction: each new (or reopened) critical finding,
 * and once a day the briefing as a digest (the daily computation only: a refresh is not a new day).
 */
async function notifyComputation(tx: Tx, c: { day: string; briefingText: string; found: Finding[]; newIds: { id: string; key: string }[]; daily: boolean }) {
  const byKey = new Map(c.found.map((f) => [f.key, f]));
  for (const { id, key } of c.newIds) {
    const f = byKey.get(key);
    if (f?.severity === "critical")
      await enqueueNotification(tx, { type: "suggestion.critical", data: { suggestionId: id, title: f.title, summary: f.summary }, dedupeKey: `suggestion.critical:${id}:${f.fingerprint}` });
  }
  if (c.daily) {
    const items = [...c.found].slice(0, 50).map((f) => ({ title: f.title, severity: f.severity, detail: f.summary }));
    await enqueueNotification(tx, { type: "digest.daily", data: { date: c.day, headline: c.briefingText.split("\n")[0]!.slice(0, 300), items }, dedupeKey: `digest.daily:${c.day}` });
  }
}

/**
 * Gathers the signals, runs the rules, writes the model's (or the rules') briefing, and reconciles
 * the findings — all writes and the audit entry in one transaction. In "daily" mode a day someone
 * else computed meanwhile is returned as stored (the slow part ran outside the lock; its result is dropped).
 */
export async function computeSuggestions(deps: Deps, call: CallContext, opts: SuggestionsOptions & { mode: "daily" | "refresh" }): Promise<Computation> {
  const now = opts.now ?? new Date();
  const day = dayOf(now);
  const snapshot = await gatherSnapshot(deps, now, opts.sources ?? defaultSources, await scopeHistory(deps, day));
  const found = runRules(snapshot);
  const before = await deps.db.suggestionFinding.findMany({ where: { resolvedAt: null }, select: { id: true, key: true, status: true, statusFingerprint: true } });
  const summarizer = opts.summarizer === undefined ? summarizerFromEnv(deps.env) : opts.summarizer;
  const visible = visibleAfter(before, found);
  const briefing = summarizer ? await summarizer.summarize(visible, { gaps: snapshot.gaps }) : rulesBriefing(visible, snapshot.gaps);
  const signals: StoredSignals = { gaps: snapshot.gaps, contextScopes: Object.fromEntries(snapshot.contextScopes.map((s) => [s.scope, s.entries])) };

  const outcome = await deps.audit.transact(async (tx, log) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${COMPUTE_LOCK})`);
    if (opts.mode === "daily" && (await tx.suggestionBriefing.findUnique({ where: { day }, select: { day: true } }))) return null;
    const live = await tx.suggestionFinding.findMany({ where: { resolvedAt: null }, select: { id: true, key: true, status: true, statusFingerprint: true } });
    const plan = reconcile(live, found);
    const { created } = await applyPlan(tx, plan, now);
    const saved = await saveBriefing(tx, day, now, briefing, signals);
    const reopened = plan.update.filter((u) => u.reopen);
    await notifyComputation(tx, {
      day,
      briefingText: briefing.text,
      found,
      newIds: [...created.map((c) => ({ id: c.id, key: c.key })), ...reopened.map((u) => ({ id: u.row.id, key: u.row.key }))],
      daily: opts.mode === "daily",
    });
    await log(
      eventFor(call, {
        action: "suggestions.compute",
        resourceType: "suggestion",
        target: day,
        detail: {
          mode: opts.mode,
          found: found.length,
          created: created.map((c) => c.key),
          reopened: reopened.map((u) => ({ key: u.row.key, was: u.row.status })),
          resolved: plan.resolve.map((r) => r.key),
          briefing: briefing.source,
          rejectedModelText: briefing.rejected.length,
          gaps: snapshot.gaps.length,
        },
      }),
    );
    return { saved, createdIds: new Set(created.map((c) => c.id)), reopenedIds: new Set(reopened.map((u) => u.row.id)), resolved: plan.resolve.map((r) => r.key) };
  });
  if (!outcome) return unchanged((await readDay(deps, now))!);
  const findings = await liveFindings(deps, briefing.actions, now);
  const appeared = findings.filter((f) => outcome.createdIds.has(f.id));
  const reopened = findings.filter((f) => outcome.reopenedIds.has(f.id));
  return {
    computed: true,
    briefing: briefingDto(outcome.saved),
    counts: counts(findings),
    findings,
    appeared,
    reopened,
    newCritical: [...appeared, ...reopened].filter((f) => f.severity === "critical"),
    resolved: outcome.resolved,
  };
}

const statusActor = (actor: Actor) => (actor.type === "user" ? actor.email : actor.type === "api_key" ? `client:${actor.clientId}` : actor.id);

/** Sets a live finding's status with its audit entry; the fingerprint it was set on is kept (a material change reopens it). */
async function setStatus(deps: Deps, call: CallContext, id: string, status: "open" | "dismissed" | "done", reason: string | null, now = new Date()): Promise<FindingDto> {
  const row = await deps.audit.transact(async (tx, log) => {
    const [current] = await tx.$queryRawUnsafe<{ status: string; resolved_at: Date | null; fingerprint: string; key: string }[]>(
      `SELECT "status", "resolved_at", "fingerprint", "key" FROM "suggestion_finding" WHERE "id" = $1::uuid FOR UPDATE`,
      id,
    );
    if (!current) throw new AppError("NOT_FOUND", `No suggestion ${id}.`);
    if (current.resolved_at) throw new AppError("CONFLICT", "This suggestion is resolved: its rule no longer finds the problem.");
    if (current.status === status) throw new AppError("CONFLICT", `This suggestion is already ${status}.`);
    const updated = await tx.suggestionFinding.update({
      where: { id },
      data:
        status === "open"
          ? { status, statusBy: null, statusReason: null, statusAt: null, statusFingerprint: null }
          : { status, statusBy: statusActor(call.actor), statusReason: reason, statusAt: now, statusFingerprint: current.fingerprint },
    });
    await log(
      eventFor(call, {
        action: `suggestions.${status === "open" ? "reopen" : status === "done" ? "done" : "dismiss"}`,
        resourceType: "suggestion",
        target: id,
        detail: { key: current.key, from: current.status, to: status, reason },
      }),
    );
    return updated;
  });
  const briefing = await deps.db.suggestionBriefing.findUnique({ where: { day: dayOf(now) }, select: { actions: true } });
  return findingDto(row, (briefing?.actions ?? {}) as Record<string, string>, now);
}

export const dismissFinding = (deps: Deps, call: CallContext, input: { id: string; reason: string }) => setStatus(deps, call, input.id, "dismissed", input.reason);
export const markFindingDone = (deps: Deps, call: CallContext, input: { id: string; note?: string }) => setStatus(deps, call, input.id, "done", input.note ?? null);
export const reopenFinding = (deps: Deps, call: CallContext, input: { id: string }) => setStatus(deps, call, input.id, "open", null);

/** Sends a finding's ready proposal through the intents' own path (the policy decides; approvers approve), and links the intent. */
export async function proposeFromFinding(deps: Deps, call: CallContext, id: string): Promise<{ finding: FindingDto; intent: IntentDto }> {
  const row = await deps.db.suggestionFinding.findUnique({ where: { id } });
  if (!row) throw new AppError("NOT_FOUND", `No suggestion ${id}.`);
  if (!row.proposal) throw new AppError("BAD_REQUEST", "This suggestion has no ready intent to propose.");
  if (row.resolvedAt) throw new AppError("CONFLICT", "This suggestion is resolved: its rule no longer finds the problem.");
  const intent = await proposeIntent(deps, call, row.proposal as Parameters<typeof proposeIntent>[2]);
  const updated = await deps.audit.transact(async (tx, log) => {
    const linked = await tx.suggestionFinding.update({ where: { id }, data: { intentId: intent.id } });
    await log(eventFor(call, { action: "suggestions.propose", resourceType: "suggestion", target: id, detail: { key: row.key, intentId: intent.id, intentStatus: intent.status } }));
    return linked;
  });
  return { finding: findingDto(updated, {}, new Date()), intent };
}

/** The most pressing open findings, for the Status page. Reads only. */
export async function topFindings(deps: Deps, limit: number, now = new Date()): Promise<FindingDto[]> {
  const rows = await deps.db.suggestionFinding.findMany({ where: { resolvedAt: null, status: "open" } });
  return rows
    .map((r) => findingDto(r, {}, now))
    .sort(byAttention)
    .slice(0, limit);
}

/** /maps/suggestions.json: the stored day as a map file (stable while nothing changes, so a scheduled commit only commits changes). */
export async function suggestionsMap(deps: Deps, now = new Date()) {
  const day = await readDay(deps, now);
  return {
    day: day?.briefing.day ?? null,
    briefing: day ? { text: day.briefing.text, source: day.briefing.source } : null,
    counts: day?.counts ?? { critical: 0, warning: 0, info: 0 },
    findings: (day?.findings ?? []).map((f) => ({ key: f.key, severity: f.severity, status: f.status, title: f.title, firstSeen: f.firstSeenAt.slice(0, 10), evidence: f.evidence })),
  };
}
