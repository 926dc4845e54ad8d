import { z } from "zod";

/** Contracts of /ai/github/{repo,commits,runs}: one shape for a GitHub repo and for the local checkout. */
export const REPO_ID_PATTERN = /^(?:[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}|local\/[A-Za-z0-9._-]{1,100})$/;
/** Branch names: git's rules, roughly; no leading "-" so a name can never be read as an option. */
const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/+-]{1,255}$/;

export const repoIdSchema = z
  .string()
  .regex(REPO_ID_PATTERN, "repo must be owner/name (GitHub) or local/<folder>")
  .optional()
  .describe("owner/name or local/<folder>; default: the first registered repo");
const branchSchema = z.string().regex(BRANCH_PATTERN, "branch must be a git branch name (letters, digits, . _ / + -, not starting with -)");
const isoDate = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z" });

export const repoInput = z.strictObject({ repo: repoIdSchema });

const languageSchema = z.object({ language: z.string(), bytes: z.number().int(), share: z.number().describe("Fraction of all bytes, 0–1") });

export const repoOutput = z.object({
  repo: z.string(),
  source: z.enum(["github", "local"]),
  name: z.string(),
  description: z.string().nullable(),
  htmlUrl: z.string().nullable(),
  /** A local checkout reports the branch it has checked out. */
  defaultBranch: z.string(),
  private: z.boolean().nullable(),
  archived: z.boolean().nullable(),
  languages: z.array(languageSchema).describe("Largest first; GitHub's linguist bytes, or bytes by file extension for a local checkout"),
  openPullRequests: z.number().int().nullable().describe("null for a local checkout"),
  openIssues: z.number().int().nullable().describe("Issues without pull requests; null for a local checkout"),
  lastPushAt: z.string().nullable().describe("GitHub's pushed_at; null for a local checkout"),
  headCommit: z.object({ sha: z.string(), date: z.string(), message: z.string() }).nullable().describe("Head of the default branch"),
  index: z.object({ state: z.string(), indexedSha: z.string().nullable(), indexedAt: z.string().nullable() }),
  note: z.string().nullable().describe("What this source cannot tell"),
});
export type RepoInfo = z.infer<typeof repoOutput>;

export const commitsInput = z.strictObject({
  repo: repoIdSchema,
  branch: branchSchema.optional().describe("Default: the default branch"),
  path: z
    .string()
    .min(1)
    .max(1000)
    .refine((p) => !p.startsWith("-") && !p.split("/").includes(".."), "path must be a repository path")
    .optional()
    .describe("Only commits touching this file or folder"),
  author: z
    .string()
    .min(1)
    .max(200)
    .refine((a) => !a.startsWith("-"), "author must not start with -")
    .optional()
    .describe("GitHub login or email (local: a pattern on name or email)"),
  since: isoDate.optional(),
  until: isoDate.optional(),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{40}\.\d{1,6}$/, "cursor must be a nextCursor from a previous page")
    .optional()
    .describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type CommitsInput = z.infer<typeof commitsInput>;

export const commitSchema = z.object({
  sha: z.string(),
  author: z.object({ name: z.string(), email: z.string().nullable(), login: z.string().nullable() }),
  date: z.string(),
  message: z.string().describe("Cut at 4,000 characters"),
  filesChanged: z.number().int(),
  additions: z.number().int(),
  deletions: z.number().int(),
});
export type CommitInfo = z.infer<typeof commitSchema>;

export const commitsOutput = z.object({
  repo: z.string(),
  branch: z.string(),
  items: z.array(commitSchema),
  nextCursor: z.string().nullable().describe("Pass as cursor for the next (older) page; pages are pinned to the head seen first"),
});

export const RUN_FAILURES = ["failure", "timed_out", "startup_failure"] as const;

export const runsInput = z.strictObject({
  repo: repoIdSchema,
  branch: branchSchema.optional(),
  workflow: z.string().min(1).max(200).optional().describe("Workflow name"),
  event: z
    .string()
    .regex(/^[a-z_]{1,50}$/, "event must be a GitHub event name, e.g. push")
    .optional(),
  status: z.enum(["queued", "in_progress", "completed", "success", "failure", "cancelled", "skipped", "timed_out", "action_required"]).optional(),
  since: isoDate.optional().describe("Window start (default: 7 days ago)"),
  until: isoDate.optional().describe("Window end (default: now)"),
  cursor: z
    .string()
    .regex(/^\d{1,4}$/, "cursor must be a nextCursor from a previous page")
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type RunsInput = z.infer<typeof runsInput>;

export const runSchema = z.object({
  id: z.number().int(),
  workflow: z.string(),
  workflowId: z.number().int(),
  branch: z.string().nullable(),
  headSha: z.string(),
  event: z.string(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  runNumber: z.number().int(),
  attempt: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
  durationSeconds: z.number().nullable().describe("Start to last update of a completed run; null while running"),
  htmlUrl: z.string(),
});
export type RunInfo = z.infer<typeof runSchema>;

export const workflowSummarySchema = z.object({
  workflow: z.string(),
  runs: z.number().int(),
  completed: z.number().int(),
  failures: z.number().int().describe("Conclusions failure, timed_out, startup_failure"),
  failureRate: z.number().nullable().describe("failures / (successes + failures); null when none finished either way"),
  medianDurationSeconds: z.number().nullable().describe("Median over completed runs"),
});
export type WorkflowSummary = z.infer<typeof workflowSummarySchema>;

export const runsOutput = z.object({
  repo: z.string(),
  window: z.object({ since: z.string(), until: z.string() }),
  items: z.array(runSchema),
  nextCursor: z.string().nullable(),
  summary: z.array(workflowSummarySchema),
  /** True when the window held more runs than were read (the summary covers the newest). */
  truncated: z.boolean(),
  note: z.string().nullable(),
});
export type RunsPage = z.infer<typeof runsOutput>;
