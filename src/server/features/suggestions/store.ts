import { querySql, type Tx } from "@/server/adapters/db";
import type { Deps } from "@/server/deps";
import { Prisma, type SuggestionBriefing, type SuggestionFinding } from "@/generated/prisma/client";
import type { Briefing } from "./summarizer";
import type { Finding } from "./rules";
import { SEVERITIES } from "./rules";
import type { BriefingDto, FindingDto } from "./schema";

/**
 * Findings and briefings in Postgres. A computation reconciles the rules' findings with the live
 * rows (resolved_at null): a key found again ages its row, a new key adds one, a live row no longer
 * found is resolved. A dismissed or done row reopens only when its fingerprint moved off the one
 * its status was set on.
 */
type LiveRow = Pick<SuggestionFinding, "id" | "key" | "status" | "statusFingerprint">;

export interface Plan {
  create: Finding[];
  update: { row: LiveRow; finding: Finding; reopen: boolean }[];
  resolve: LiveRow[];
}

export function reconcile(live: LiveRow[], found: Finding[]): Plan {
  const byKey = new Map(live.map((r) => [r.key, r]));
  const seen = new Set<string>();
  const plan: Plan = { create: [], update: [], resolve: [] };
  for (const f of found) {
    if (seen.has(f.key)) continue;
    seen.add(f.key);
    const row = byKey.get(f.key);
    if (!row) plan.create.push(f);
    else plan.update.push({ row, finding: f, reopen: row.status !== "open" && row.statusFingerprint !== f.fingerprint });
  }
  plan.resolve = live.filter((r) => !seen.has(r.key));
  return plan;
}

/** A finding the people will see: open ones, and ones that will reopen now. */
export function visibleAfter(live: LiveRow[], found: Finding[]): Finding[] {
  const plan = reconcile(live, found);
  return [...plan.create, ...plan.update.filter((u) => u.row.status === "open" || u.reopen).map((u) => u.finding)];
}

const content = (f: Finding) => ({
  severity: f.severity,
  fingerprint: f.fingerprint,
  title: f.title,
  summary: f.summary,
  action: f.action,
  evidence: f.evidence as object[],
  proposal: f.proposal ? (f.proposal as object) : Prisma.DbNull,
});

export async function applyPlan(tx: Tx, plan: Plan, now: Date): Promise<{ created: SuggestionFinding[] }> {
  const created = plan.create.length
    ? await tx.suggestionFinding.createManyAndReturn({ data: plan.create.map((f) => ({ key: f.key, rule: f.rule, subject: f.subject, ...content(f), firstSeenAt: now, lastSeenAt: now })) })
    : [];
  for (const u of plan.update) {
    const reopen = u.reopen ? { status: "open", statusBy: null, statusReason: null, statusAt: null, statusFingerprint: null } : {};
    await tx.suggestionFinding.update({ where: { id: u.row.id }, data: { ...content(u.finding), lastSeenAt: now, ...reopen } });
  }
  if (plan.resolve.length) await tx.suggestionFinding.updateMany({ where: { id: { in: plan.resolve.map((r) => r.id) } }, data: { resolvedAt: now } });
  return { created };
}

export const dayOf = (now: Date) => now.toISOString().slice(0, 10);
/** The day `days` before a YYYY-MM-DD day. */
export const dayBefore = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00.000Z`) - days * 86_400_000).toISOString().slice(0, 10);

export interface StoredSignals {
  gaps: string[];
  contextScopes: Record<string, number>;
}

export async function saveBriefing(tx: Tx, day: string, now: Date, briefing: Briefing, signals: StoredSignals): Promise<SuggestionBriefing> {
  const data = { computedAt: now, source: briefing.source, text: briefing.text, actions: briefing.actions, model: briefing.model, signals: signals as object };
  return tx.suggestionBriefing.upsert({ where: { day }, create: { day, ...data }, update: { ...data, computations: { increment: 1 } } });
}

/*
 * The stored day as GET /ai/suggestions/daily reads it on every call: through the plain pg pool where
 * there is one, and the briefing without its signals snapshot (tens of KB of JSON) but for the gaps
 * the answer shows.
 */
const FINDING_COLUMNS = `"id", "key", "rule", "subject", "fingerprint", "severity", "title", "summary", "action", "evidence", "proposal", "status",
  "first_seen_at" AS "firstSeenAt", "last_seen_at" AS "lastSeenAt", "resolved_at" AS "resolvedAt", "status_by" AS "statusBy", "status_reason" AS "statusReason",
  "status_at" AS "statusAt", "status_fingerprint" AS "statusFingerprint", "intent_id" AS "intentId"`;
const dateOrNull = (d: Date | string | null) => (d === null ? null : new Date(d));

const LIVE_FINDINGS = `SELECT ${FINDING_COLUMNS} FROM "suggestion_finding" WHERE "resolved_at" IS NULL`;
/** A finding row as read by querySql: its times as Date, or as text when they came inside JSON. */
const findingRow = (r: SuggestionFinding): SuggestionFinding => ({
  ...r,
  firstSeenAt: new Date(r.firstSeenAt),
  lastSeenAt: new Date(r.lastSeenAt),
  resolvedAt: dateOrNull(r.resolvedAt),
  statusAt: dateOrNull(r.statusAt),
});

/** The findings not resolved, in no order. */
export async function liveFindingRows(deps: Pick<Deps, "db" | "database">): Promise<SuggestionFinding[]> {
  return (await querySql<SuggestionFinding>(deps, LIVE_FINDINGS, [])).map(findingRow);
}

/**
 * A day's briefing, its signals cut to the gaps (what briefingDto reads of them), with the findings not
 * resolved (in no order) — one statement, the findings as one JSON array — or null when the day has none.
 */
export async function storedDay(deps: Pick<Deps, "db" | "database">, day: string): Promise<{ briefing: SuggestionBriefing; findings: SuggestionFinding[] } | null> {
  const [row] = await querySql<SuggestionBriefing & { findings: SuggestionFinding[] }>(
    deps,
    `SELECT "day", "computed_at" AS "computedAt", "computations", "source", "text", "actions", "model", jsonb_build_object('gaps', "signals"->'gaps') AS "signals",
            (SELECT coalesce(json_agg(f), '[]'::json) FROM (${LIVE_FINDINGS}) f) AS "findings"
       FROM "suggestion_briefing" WHERE "day" = $1`,
    [day],
  );
  if (!row) return null;
  const { findings, ...briefing } = row;
  return { briefing: { ...briefing, computedAt: new Date(briefing.computedAt) }, findings: findings.map(findingRow) };
}

export function briefingDto(b: SuggestionBriefing): BriefingDto {
  const signals = (b.signals ?? {}) as Partial<StoredSignals>;
  return { day: b.day, computedAt: b.computedAt.toISOString(), computations: b.computations, source: b.source as BriefingDto["source"], text: b.text, model: b.model, gaps: signals.gaps ?? [] };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function findingDto(r: SuggestionFinding, actions: Record<string, string>, now: Date): FindingDto {
  const modelAction = actions[r.key];
  return {
    id: r.id,
    key: r.key,
    rule: r.rule,
    subject: r.subject,
    fingerprint: r.fingerprint,
    severity: r.severity as FindingDto["severity"],
    title: r.title,
    summary: r.summary,
    action: modelAction ?? r.action,
    actionSource: modelAction ? "model" : "rule",
    evidence: r.evidence as FindingDto["evidence"],
    proposal: (r.proposal ?? null) as FindingDto["proposal"],
    status: r.status as FindingDto["status"],
    statusBy: r.statusBy,
    statusReason: r.statusReason,
    statusAt: iso(r.statusAt),
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    ageDays: Math.max(0, Math.floor((now.getTime() - r.firstSeenAt.getTime()) / 86_400_000)),
    resolvedAt: iso(r.resolvedAt),
    intentId: r.intentId,
  };
}

const STATUS_ORDER = ["open", "dismissed", "done"];
/** Open first, then by severity, then oldest first. */
export function byAttention(a: FindingDto, b: FindingDto): number {
  return (
    STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    a.firstSeenAt.localeCompare(b.firstSeenAt) ||
    a.key.localeCompare(b.key)
  );
}
