/**
 * The signals the rules read, gathered once per computation (signals.ts) from what the app already
 * stores. Plain data with the clock inside, so every rule is a pure function of it.
 */
export interface ConnectionSignal {
  id: string;
  label: string;
  state: "up" | "down" | "unchecked";
  since: string | null;
  error: string | null;
  /** up → down and down → up changes in the last 24 hours (from the audit log). */
  changes24h: number;
  uptime7d: { pct: number | null; probes: number; down: number; coverage: number };
  /** p95 of hourly mean latency over the last 24 hours, and over the 7 days before them. */
  latency: { p95Ms: number | null; hours: number; baselineP95Ms: number | null; baselineHours: number };
  /** Site Health tests reported critical at the latest probe (WordPress sites only). */
  siteHealthCritical: string[];
}

export interface WorkflowSignal {
  repo: string;
  workflow: string;
  workflowId: number;
  branch: string;
  /** The last 7 days: decided runs (success or failure) and failures. */
  runs: number;
  failures: number;
  medianSeconds: number | null;
  /** The 7 days before, for the duration trend. */
  previousMedianSeconds: number | null;
  previousRuns: number;
  lastFailureUrl: string | null;
}

export interface ClientErrorSignal {
  clientId: string;
  /** The last 24 hours, from the audit log. */
  calls: number;
  clientErrors: number;
  serverErrors: number;
}

export interface IntentSignal {
  id: string;
  action: string;
  requester: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface RepoIndexSignal {
  repo: string;
  defaultBranch: string;
  indexState: string;
  indexedSha: string | null;
  indexedAt: string | null;
  /** Head of the default branch now; null when it could not be read. */
  headSha: string | null;
  headDate: string | null;
}

export interface LateJobSignal {
  name: string;
  lastSuccessAt: string | null;
  intervalSeconds: number;
}

export interface KeySignal {
  prefix: string;
  clientId: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface ContextScopeSignal {
  scope: string;
  entries: number;
  /** Entry counts recorded by earlier days' computations, oldest first. */
  history: { day: string; entries: number }[];
}

export interface Snapshot {
  now: string;
  connections: ConnectionSignal[];
  workflows: WorkflowSignal[];
  clients: ClientErrorSignal[];
  /** Waiting for approval, oldest first. */
  pendingIntents: IntentSignal[];
  /** Expired in the last 7 days with no decision from anyone. */
  expiredUnseen: IntentSignal[];
  repos: RepoIndexSignal[];
  lateJobs: LateJobSignal[];
  keys: KeySignal[];
  contextScopes: ContextScopeSignal[];
  /** Signals that could not be read this time (GitHub unreachable…): the briefing says so. */
  gaps: string[];
}

export const emptySnapshot = (now: Date): Snapshot => ({
  now: now.toISOString(),
  connections: [],
  workflows: [],
  clients: [],
  pendingIntents: [],
  expiredUnseen: [],
  repos: [],
  lateJobs: [],
  keys: [],
  contextScopes: [],
  gaps: [],
});
