import { band, finding, pct, round1, type Rule } from "./types";

/** CI: a workflow failing at least 30 % of its decided runs over 7 days, or a workflow slowing down against the week before. */
export const FAILURE_RATE = 0.3;
const MIN_RUNS = 3;
const runsLink = (repo: string, workflow: string) => `/ai/github/runs?repo=${encodeURIComponent(repo)}&workflow=${encodeURIComponent(workflow)}`;

export const workflowFailing: Rule = (s) =>
  s.workflows
    .filter((w) => w.runs >= MIN_RUNS && w.failures / w.runs >= FAILURE_RATE)
    .map((w) => {
      const rate = pct(w.failures, w.runs);
      return finding("workflow-failing", `${w.repo}/${w.workflow}`, {
        severity: w.failures / w.runs >= 0.6 ? "critical" : "warning",
        title: `${w.workflow} fails ${rate}% of its runs`,
        summary: `Workflow ${w.workflow} in ${w.repo} failed ${w.failures} of ${w.runs} finished runs over 7 days (${rate}%).`,
        action: `Read the last failed run of ${w.workflow}, fix the cause, then re-run it on ${w.branch}.`,
        evidence: [
          { label: "failed runs (7 d)", value: w.failures, href: runsLink(w.repo, w.workflow) },
          { label: "finished runs (7 d)", value: w.runs, href: runsLink(w.repo, w.workflow) },
          { label: "failure rate", value: rate, unit: "%" },
          ...(w.lastFailureUrl ? [{ label: "last failed run", value: w.workflow, href: w.lastFailureUrl }] : []),
        ],
        material: { rate: band(w.failures / w.runs, [FAILURE_RATE, 0.5, 0.6, 0.8, 1]) },
        proposal: {
          action: "run_workflow",
          target: { repo: w.repo, ref: w.branch },
          params: { workflow: String(w.workflowId) },
          reason: `Re-run ${w.workflow} on ${w.branch}: it failed ${w.failures} of ${w.runs} runs over 7 days.`,
        },
      });
    });

const SLOWDOWN_RATIO = 1.5;
const MIN_SLOWDOWN_SECONDS = 60;
export const workflowSlowing: Rule = (s) =>
  s.workflows.flatMap((w) => {
    const now = w.medianSeconds;
    const before = w.previousMedianSeconds;
    if (now === null || before === null || before <= 0 || w.runs < MIN_RUNS || w.previousRuns < MIN_RUNS) return [];
    if (now / before < SLOWDOWN_RATIO || now - before < MIN_SLOWDOWN_SECONDS) return [];
    const ratio = round1(now / before);
    return [
      finding("workflow-slowing", `${w.repo}/${w.workflow}`, {
        severity: "info",
        title: `${w.workflow} got ${ratio}× slower`,
        summary: `Workflow ${w.workflow} in ${w.repo} takes ${Math.round(now)} s at the median over 7 days, against ${Math.round(before)} s the week before.`,
        action: `Look for a new slow step or a lost cache in ${w.workflow}.`,
        evidence: [
          { label: "median duration (7 d)", value: Math.round(now), unit: "s", href: runsLink(w.repo, w.workflow) },
          { label: "median duration (week before)", value: Math.round(before), unit: "s", href: runsLink(w.repo, w.workflow) },
          { label: "ratio", value: ratio, unit: "×" },
        ],
        material: { ratio: band(now / before, [SLOWDOWN_RATIO, 2, 3, 5]) },
        proposal: {
          action: "create_issue",
          target: { repo: w.repo },
          params: {
            title: `CI: ${w.workflow} got ${ratio}× slower`,
            body: `The median duration of ${w.workflow} went from ${Math.round(before)} s to ${Math.round(now)} s over the last 7 days (${w.runs} runs).`,
            labels: ["ci"],
          },
          reason: `Track the slowdown of ${w.workflow} (${Math.round(before)} s → ${Math.round(now)} s).`,
        },
      }),
    ];
  });
