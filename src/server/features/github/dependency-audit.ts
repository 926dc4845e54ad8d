import { githubStatus, splitRepo } from "@/server/adapters/github/client";
import type { Deps } from "@/server/deps";

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One open Dependabot alert of a managed repo: what the suggestions feature turns into a finding. */
export interface DependencyFinding {
  repo: string;
  alertNumber: number;
  severity: Severity;
  package: string;
  ecosystem: string;
  manifestPath: string;
  /** The vulnerable version range, e.g. "< 4.17.21". */
  vulnerableRange: string | null;
  /** The first patched version; null when no fix is published yet. */
  fixVersion: string | null;
  ghsaId: string;
  cveId: string | null;
  summary: string;
  url: string;
  createdAt: string;
}

export interface DependencyAudit {
  findings: DependencyFinding[];
  counts: Record<Severity, number>;
  /** Repos whose alerts could not be read, with why (Dependabot alerts off, a token without the scope…). */
  skipped: { repo: string; reason: string }[];
}

interface AlertLike {
  number: number;
  html_url: string;
  created_at: string;
  dependency: { package?: { ecosystem: string; name: string }; manifest_path?: string };
  security_advisory: { ghsa_id: string; cve_id: string | null; summary: string; severity: string };
  security_vulnerability: { vulnerable_version_range?: string; first_patched_version?: { identifier: string } | null };
}

const severityOf = (s: string): Severity => ((SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : "low");

export function findingOf(repo: string, a: AlertLike): DependencyFinding {
  return {
    repo,
    alertNumber: a.number,
    severity: severityOf(a.security_advisory.severity),
    package: a.dependency.package?.name ?? "unknown",
    ecosystem: a.dependency.package?.ecosystem ?? "unknown",
    manifestPath: a.dependency.manifest_path ?? "",
    vulnerableRange: a.security_vulnerability.vulnerable_version_range ?? null,
    fixVersion: a.security_vulnerability.first_patched_version?.identifier ?? null,
    ghsaId: a.security_advisory.ghsa_id,
    cveId: a.security_advisory.cve_id,
    summary: a.security_advisory.summary,
    url: a.html_url,
    createdAt: a.created_at,
  };
}

/**
 * The open Dependabot alerts of every configured GitHub repo (GITHUB_REPO), most severe first.
 * Needs GITHUB_TOKEN with access to security alerts; a repo whose alerts cannot be read is listed
 * in `skipped` rather than failing the others.
 */
export async function auditDependencies(deps: Pick<Deps, "github" | "env">): Promise<DependencyAudit> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const result: DependencyAudit = { findings: [], counts, skipped: [] };
  const octokit = deps.github;
  if (!octokit) {
    result.skipped = deps.env.githubRepos.map((repo) => ({ repo, reason: "GITHUB_TOKEN is not set" }));
    return result;
  }
  for (const repo of deps.env.githubRepos) {
    try {
      const alerts = (await octokit.paginate(octokit.rest.dependabot.listAlertsForRepo, { ...splitRepo(repo), state: "open", per_page: 100 })) as AlertLike[];
      result.findings.push(...alerts.map((a) => findingOf(repo, a)));
    } catch (err) {
      const status = githubStatus(err);
      const reason =
        status === 403 || status === 404 ? `Dependabot alerts are off for ${repo} or the token may not read them (${status})` : `GitHub answered ${status ?? "nothing"}: ${(err as Error).message}`;
      result.skipped.push({ repo, reason });
    }
  }
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  result.findings.sort((a, b) => rank(a.severity) - rank(b.severity) || a.repo.localeCompare(b.repo) || a.alertNumber - b.alertNumber);
  for (const f of result.findings) counts[f.severity]++;
  return result;
}
