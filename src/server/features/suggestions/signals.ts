import { splitRepo } from "@/server/adapters/github/client";
import { lateJobs } from "@/server/jobs/monitor";
import { git } from "@/server/adapters/git/cli";
import { DAY_MS, HOUR_MS, bucketStart } from "@/server/features/connections/rollup";
import { connectionRegistry } from "@/server/features/connections/registry";
import { readRollups } from "@/server/features/connections/store";
import { uptimeOver, type Bucket } from "@/server/features/connections/uptime";
import { scopeIndex, SCOPES_INDEX } from "@/server/features/context/store";
import { githubRuns } from "@/server/features/github/remote";
import { median } from "@/server/features/github/runs-summary";
import { RUN_FAILURES, type RunInfo, type RunsInput } from "@/server/features/github/schema";
import type { Deps } from "@/server/deps";
import { syncRepos } from "@/server/features/repos/registry";
import type { Repo } from "@/generated/prisma/client";
import type { ConnectionSignal, ContextScopeSignal, LateJobSignal, RepoIndexSignal, Snapshot, WorkflowSignal } from "./snapshot";

/**
 * Gathers the snapshot the rules read, from what the app already stores: probe states and rollups,
 * the audit log, intents, repo rows, API keys and the context store; CI runs are read from GitHub
 * (ETag-cached) and each repo's default-branch head from GitHub or the local checkout.
 */
export interface SignalSources {
  /** Scheduled jobs with their last success (the jobs layer's run records). */
  lateJobs: (deps: Deps, now: Date) => Promise<LateJobSignal[]>;
}

/** Late jobs from the jobs layer's run records. */
export const defaultSources: SignalSources = {
  lateJobs: async (deps, now) => (await lateJobs(deps, { now })).map((j) => ({ name: j.name, lastSuccessAt: j.lastSuccessAt?.toISOString() ?? null, intervalSeconds: j.intervalSeconds ?? 0 })),
};

const MAX_SCOPES = 500;
const MAX_INTENTS = 200;

export async function gatherSnapshot(deps: Deps, now: Date, sources: SignalSources = defaultSources, history: ScopeHistory = []): Promise<Snapshot> {
  const gaps: string[] = [];
  // the configured repositories are registered on first use, as every repo read does
  await syncRepos(deps).catch((err: unknown) => gaps.push(`repositories: ${(err as Error).message}`));
  const [connections, workflows, clients, intents, repos, lateJobs, keys, contextScopes] = await Promise.all([
    connectionSignals(deps, now),
    workflowSignals(deps, now, gaps),
    clientSignals(deps, now),
    intentSignals(deps, now),
    repoSignals(deps, gaps),
    sources.lateJobs(deps, now).catch((err: unknown) => {
      gaps.push(`late jobs: ${(err as Error).message}`);
      return [];
    }),
    keySignals(deps, now),
    scopeSignals(deps, history, gaps),
  ]);
  return { now: now.toISOString(), connections, workflows, clients, ...intents, repos, lateJobs, keys, contextScopes, gaps };
}

function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

const hourlyMeans = (rows: Bucket[], from: number, to: number) =>
  rows.filter((r) => r.latencyCount > 0 && r.bucket.getTime() >= from && r.bucket.getTime() < to).map((r) => r.latencySum / r.latencyCount);

function siteHealthCriticals(details: unknown): string[] {
  const tests = (details as { siteHealth?: { tests?: { label?: unknown; status?: unknown }[] } } | null)?.siteHealth?.tests;
  return Array.isArray(tests) ? tests.filter((t) => t.status === "critical" && typeof t.label === "string").map((t) => t.label as string) : [];
}

async function connectionSignals(deps: Deps, now: Date): Promise<ConnectionSignal[]> {
  const defs = connectionRegistry(deps).filter((d) => d.probe);
  const ids = defs.map((d) => d.id);
  if (ids.length === 0) return [];
  const t = now.getTime();
  const [states, hours, changes] = await Promise.all([
    deps.db.connectionState.findMany({ where: { id: { in: ids } } }),
    readRollups(deps.db, ids, "hour", new Date(bucketStart(t - 8 * DAY_MS, "hour"))),
    deps.db.auditEvent.groupBy({
      by: ["target"],
      where: { resourceType: "connection", action: { in: ["connection.down", "connection.up"] }, at: { gte: new Date(t - DAY_MS), lte: now }, target: { in: ids } },
      _count: { _all: true },
    }),
  ]);
  const stateOf = new Map(states.map((s) => [s.id, s]));
  const changesOf = new Map(changes.map((c) => [c.target ?? "", c._count._all]));
  const hourEnd = bucketStart(t, "hour") + HOUR_MS;
  const dayStart = hourEnd - DAY_MS;
  return defs.map((d) => {
    const s = stateOf.get(d.id);
    const rows = (hours.get(d.id) ?? []).filter((r) => r.bucket.getTime() < hourEnd);
    const current = hourlyMeans(rows, dayStart, hourEnd);
    const baseline = hourlyMeans(rows, dayStart - 7 * DAY_MS, dayStart);
    return {
      id: d.id,
      label: d.label,
      state: s?.state === "up" || s?.state === "down" ? s.state : "unchecked",
      since: s?.since.toISOString() ?? null,
      error: s?.error ?? null,
      changes24h: changesOf.get(d.id) ?? 0,
      uptime7d: uptimeOver(rows, hourEnd - 7 * DAY_MS, hourEnd, 7 * 24),
      latency: { p95Ms: p95(current), hours: current.length, baselineP95Ms: p95(baseline), baselineHours: baseline.length },
      siteHealthCritical: s?.state === "up" ? siteHealthCriticals(s.details) : [],
    };
  });
}

const githubRepos = async (deps: Deps) => (deps.github ? await deps.db.repo.findMany({ where: { source: "github" }, orderBy: { id: "asc" } }) : []);

/** Per workflow on the default branch: the last 7 days against the 7 before (one windowed read of 14 days). */
export function workflowsOf(repo: string, branch: string, runs: RunInfo[], now: Date): WorkflowSignal[] {
  const split = now.getTime() - 7 * DAY_MS;
  const byWorkflow = new Map<string, RunInfo[]>();
  for (const r of runs) byWorkflow.set(r.workflow, [...(byWorkflow.get(r.workflow) ?? []), r]);
  return [...byWorkflow.entries()].map(([workflow, list]) => {
    const recent = list.filter((r) => Date.parse(r.createdAt) >= split);
    const before = list.filter((r) => Date.parse(r.createdAt) < split);
    const decided = (rs: RunInfo[]) => rs.filter((r) => r.status === "completed" && (r.conclusion === "success" || (RUN_FAILURES as readonly string[]).includes(r.conclusion ?? "")));
    const failed = decided(recent).filter((r) => r.conclusion !== "success");
    const durations = (rs: RunInfo[]) =>
      decided(rs)
        .map((r) => r.durationSeconds)
        .filter((d): d is number => d !== null);
    const lastFailure = [...failed].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    return {
      repo,
      workflow,
      workflowId: list[0]!.workflowId,
      branch,
      runs: decided(recent).length,
      failures: failed.length,
      medianSeconds: median(durations(recent)),
      previousMedianSeconds: median(durations(before)),
      previousRuns: decided(before).length,
      lastFailureUrl: lastFailure?.htmlUrl ?? null,
    };
  });
}

async function workflowSignals(deps: Deps, now: Date, gaps: string[]): Promise<WorkflowSignal[]> {
  const repos = await githubRepos(deps);
  const window = { since: new Date(now.getTime() - 14 * DAY_MS).toISOString(), until: now.toISOString() };
  const per = await Promise.all(
    repos.map(async (repo) => {
      try {
        const input = { repo: repo.id, branch: repo.defaultBranch, limit: 100 } as RunsInput;
        const { runs } = await githubRuns(deps.github!, repo.id, input, window);
        return workflowsOf(repo.id, repo.defaultBranch, runs, now);
      } catch (err) {
        gaps.push(`CI runs of ${repo.id}: ${(err as Error).message}`);
        return [];
      }
    }),
  );
  return per.flat();
}

async function clientSignals(deps: Deps, now: Date) {
  const rows = await deps.db.$queryRawUnsafe<{ client_id: string; calls: number; c4: number; c5: number }[]>(
    `SELECT "client_id", count(*)::int AS "calls",
            count(*) FILTER (WHERE "status" BETWEEN 400 AND 499)::int AS "c4",
            count(*) FILTER (WHERE "status" >= 500)::int AS "c5"
       FROM "audit_event"
      WHERE "at" >= $1::timestamptz AND "at" <= $2::timestamptz AND "client_id" IS NOT NULL
      GROUP BY "client_id"`,
    new Date(now.getTime() - DAY_MS).toISOString(),
    now.toISOString(),
  );
  return rows.map((r) => ({ clientId: r.client_id, calls: r.calls, clientErrors: r.c4, serverErrors: r.c5 }));
}

async function intentSignals(deps: Deps, now: Date) {
  const [pending, expired] = await Promise.all([
    deps.db.intent.findMany({ where: { status: "pending_approval", createdAt: { lte: now } }, orderBy: { createdAt: "asc" }, take: MAX_INTENTS }),
    deps.db.intent.findMany({
      where: { status: "expired", updatedAt: { gte: new Date(now.getTime() - 7 * DAY_MS), lte: now }, approvals: { none: {} } },
      orderBy: { updatedAt: "desc" },
      take: MAX_INTENTS,
    }),
  ]);
  const signal = (i: (typeof pending)[number]) => ({
    id: i.id,
    action: i.action,
    requester: i.clientId ?? i.requesterId,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt?.toISOString() ?? null,
  });
  return { pendingIntents: pending.map(signal), expiredUnseen: expired.map(signal) };
}

/** The head of the default branch: GitHub's branch (ETag-cached) or `git log` in the checkout. */
async function headOf(deps: Deps, repo: Repo): Promise<{ sha: string; date: string | null } | null> {
  if (repo.source === "github") {
    if (!deps.github) return null;
    const { data } = await deps.github.rest.repos.getBranch({ ...splitRepo(repo.id), branch: repo.defaultBranch });
    return { sha: data.commit.sha, date: data.commit.commit.committer?.date ?? data.commit.commit.author?.date ?? null };
  }
  if (!repo.localPath) return null;
  const out = (await git(repo.localPath, ["log", "-1", "--format=%H %cI", repo.defaultBranch, "--"])).trim();
  const [sha, date] = out.split(" ");
  return sha ? { sha, date: date ? new Date(date).toISOString() : null } : null;
}

async function repoSignals(deps: Deps, gaps: string[]): Promise<RepoIndexSignal[]> {
  const repos = await deps.db.repo.findMany({ orderBy: { id: "asc" } });
  return Promise.all(
    repos.map(async (r) => {
      const head = await headOf(deps, r).catch((err: unknown) => {
        gaps.push(`head of ${r.id}: ${(err as Error).message}`);
        return null;
      });
      return {
        repo: r.id,
        defaultBranch: r.defaultBranch,
        indexState: r.indexState,
        indexedSha: r.indexedSha,
        indexedAt: r.indexedAt?.toISOString() ?? null,
        headSha: head?.sha ?? null,
        headDate: head?.date ?? null,
      };
    }),
  );
}

async function keySignals(deps: Deps, now: Date) {
  const keys = await deps.db.apiKey.findMany({ where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }, orderBy: { createdAt: "asc" } });
  return keys.map((k) => ({
    prefix: k.prefix,
    clientId: k.clientId,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
  }));
}

/** Entry counts per scope recorded by earlier days' computations (their briefings keep them). */
export type ScopeHistory = { day: string; scopes: Record<string, number> }[];

async function scopeSignals(deps: Deps, history: ScopeHistory, gaps: string[]): Promise<ContextScopeSignal[]> {
  try {
    const scopes = await deps.kv.indexRange(SCOPES_INDEX, { limit: MAX_SCOPES });
    const counts = await Promise.all(scopes.map((s) => deps.kv.indexCount(scopeIndex(s))));
    return scopes
      .map((scope, i) => ({ scope, entries: counts[i]!, history: history.filter((h) => h.scopes[scope] !== undefined).map((h) => ({ day: h.day, entries: h.scopes[scope]! })) }))
      .filter((s) => s.entries > 0);
  } catch (err) {
    gaps.push(`context scopes: ${(err as Error).message}`);
    return [];
  }
}
