import type { JobDefinition } from "@/server/jobs/types";
import { auditDependencies } from "./dependency-audit";

/** Findings kept in a run record; the counts always cover all of them. */
const KEPT_FINDINGS = 200;

/** Scheduled work on the managed GitHub repos. */
export const githubJobs: JobDefinition[] = [
  {
    name: "dependency-audit",
    description: "Read the open Dependabot alerts of every configured repo: severity, package and the version that fixes it",
    schedule: "23 5 1 * *",
    timeoutSeconds: 600,
    retry: { limit: 2, delaySeconds: 300, backoff: true },
    singleton: true,
    runsInCron: true,
    run: async (ctx) => {
      const audit = await auditDependencies(ctx.deps);
      ctx.log(
        `${audit.findings.length} open alerts (${Object.entries(audit.counts)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")}); ${audit.skipped.length} repos skipped`,
      );
      return { counts: audit.counts, total: audit.findings.length, findings: audit.findings.slice(0, KEPT_FINDINGS), skipped: audit.skipped };
    },
  },
];
