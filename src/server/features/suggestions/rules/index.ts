import type { Snapshot } from "../snapshot";
import { clientErrors } from "./clients";
import { connectionDown, connectionFlapping, latencyRegression, siteHealthCritical, uptimeBelowTarget } from "./connections";
import { contextScopeGrowing } from "./context";
import { intentExpiredUnseen, intentWaiting } from "./intents";
import { jobLate } from "./jobs";
import { keyExpiring, keyUnused } from "./keys";
import { indexBehind } from "./repos";
import { SEVERITIES, type Finding, type Rule } from "./types";
import { workflowFailing, workflowSlowing } from "./workflows";

export type { Evidence, Finding, Rule, Severity } from "./types";
export { SEVERITIES } from "./types";

/** Every rule, by name. A rule is a pure function of the snapshot. */
export const RULES: Record<string, Rule> = {
  "connection-down": connectionDown,
  "connection-flapping": connectionFlapping,
  "uptime-below-target": uptimeBelowTarget,
  "latency-regression": latencyRegression,
  "workflow-failing": workflowFailing,
  "workflow-slowing": workflowSlowing,
  "client-errors": clientErrors,
  "intent-waiting": intentWaiting,
  "intent-expired-unseen": intentExpiredUnseen,
  "index-behind": indexBehind,
  "job-late": jobLate,
  "key-unused": keyUnused,
  "key-expiring": keyExpiring,
  "wordpress-site-health": siteHealthCritical,
  "context-scope-growing": contextScopeGrowing,
};

const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);

/** All findings, most severe first, then by rule and subject (a stable order). */
export function runRules(snapshot: Snapshot): Finding[] {
  return Object.values(RULES)
    .flatMap((rule) => rule(snapshot))
    .sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key));
}
