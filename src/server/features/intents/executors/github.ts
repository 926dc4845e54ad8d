import { Octokit } from "@octokit/rest";
import type { RecordedRequest } from "../schema";
import { dryRunReasonOf, errorText, type ExecutionJob, type ExecutionOutcome, type Executor } from "./types";

/**
 * GitHub: workflow_dispatch for deploy, rollback and run_workflow; merge a pull request; open an
 * issue. Without GITHUB_TOKEN, or unless executions are live, it runs dry: Octokit builds each request (method, URL, body) exactly
 * as it would send it, and nothing is sent. No retries: an execution happens at most once.
 */
interface Step {
  route: string;
  params: Record<string, unknown>;
}

function ownerRepo(target: ExecutionJob["target"]) {
  const [owner, repo] = (target.repo ?? "").split("/");
  return { owner: owner!, repo: repo! };
}

function dispatchInputs(job: ExecutionJob): Record<string, string> {
  const inputs = { ...((job.params.inputs as Record<string, string> | undefined) ?? {}) };
  if (job.target.environment) inputs.environment = job.target.environment;
  if (job.action === "rollback") inputs.version = String(job.params.version);
  return inputs;
}

/** The requests an action makes, in order (a merge first reads the PR to check its base branch). */
export function githubPlan(job: ExecutionJob): Step[] {
  const base = ownerRepo(job.target);
  switch (job.action) {
    case "deploy":
    case "rollback":
    case "run_workflow":
      return [
        {
          route: "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
          params: { ...base, workflow_id: job.params.workflow, ref: job.target.ref, inputs: dispatchInputs(job) },
        },
      ];
    case "merge_pr":
      return [
        { route: "GET /repos/{owner}/{repo}/pulls/{pull_number}", params: { ...base, pull_number: job.params.pullNumber } },
        {
          route: "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
          params: { ...base, pull_number: job.params.pullNumber, merge_method: job.params.method ?? "squash", ...(job.params.expectedHeadSha ? { sha: job.params.expectedHeadSha } : {}) },
        },
      ];
    case "create_issue":
      return [
        {
          route: "POST /repos/{owner}/{repo}/issues",
          params: { ...base, title: job.params.title, ...(job.params.body ? { body: job.params.body } : {}), ...(job.params.labels ? { labels: job.params.labels } : {}) },
        },
      ];
    default:
      throw new Error(`GitHub does not run ${job.action}`);
  }
}

export class GitHubExecutor implements Executor {
  readonly name = "github" as const;
  readonly dryRun: boolean;
  readonly dryRunReason: string | null;
  private readonly octokit: Octokit;

  /** `live: false` keeps it dry even with a token (GITHUB_TOKEN alone is for reading and indexing). */
  constructor(opts: { token?: string; baseUrl?: string; live?: boolean }) {
    this.dryRunReason = dryRunReasonOf({ live: opts.live ?? true, missingCredentials: opts.token ? null : "no GITHUB_TOKEN" });
    this.dryRun = this.dryRunReason !== null;
    this.octokit = new Octokit({ auth: opts.token, baseUrl: (opts.baseUrl ?? "https://api.github.com").replace(/\/$/, ""), userAgent: "ops-orchestrator" });
  }

  private record(step: Step): RecordedRequest {
    const ep = this.octokit.request.endpoint(step.route, step.params);
    return { method: ep.method, url: ep.url, body: ep.body ?? null };
  }

  async execute(job: ExecutionJob, signal: AbortSignal): Promise<ExecutionOutcome> {
    const steps = githubPlan(job);
    if (this.dryRun) {
      return { ok: true, dryRun: true, summary: `Dry run (${this.dryRunReason}): ${steps.length} request(s) recorded, nothing sent.`, requests: steps.map((s) => this.record(s)) };
    }
    const requests: RecordedRequest[] = [];
    try {
      let response: unknown = null;
      for (const step of steps) {
        const params = { ...step.params };
        if (step.route.startsWith("PUT") && job.action === "merge_pr") {
          const pr = response as { base: { ref: string }; head: { sha: string } };
          // The policy judged the base branch the agent named: refuse to merge anywhere else.
          if (pr.base.ref.toLowerCase() !== String(job.target.ref).toLowerCase()) {
            return { ok: false, dryRun: false, requests, summary: "Refused: the pull request's base branch is not the one approved.", error: `base is ${pr.base.ref}, approved ${job.target.ref}` };
          }
          params.sha ??= pr.head.sha;
        }
        requests.push(this.record({ route: step.route, params }));
        const res = await this.octokit.request(step.route, { ...params, request: { signal } });
        response = res.data ?? null;
      }
      return { ok: true, dryRun: false, requests, summary: summaryOf(job, response), response: trim(response) };
    } catch (err) {
      return { ok: false, dryRun: false, requests, summary: `GitHub refused or did not answer: ${errorText(err)}`, error: errorText(err) };
    }
  }
}

function summaryOf(job: ExecutionJob, data: unknown): string {
  const d = (data ?? {}) as { html_url?: string; number?: number; sha?: string; merged?: boolean };
  if (job.action === "create_issue") return `Opened issue #${d.number ?? "?"} ${d.html_url ?? ""}`.trim();
  if (job.action === "merge_pr") return `Merged pull request #${String(job.params.pullNumber)} as ${d.sha ?? "?"}`;
  return `Dispatched ${String(job.params.workflow)} on ${job.target.ref}${job.target.environment ? ` for ${job.target.environment}` : ""}`;
}

/** Keep a few identifying fields of GitHub's answer, not the whole object. */
function trim(data: unknown): unknown {
  if (!data || typeof data !== "object") return data ?? null;
  const d = data as Record<string, unknown>;
  return Object.fromEntries(["number", "html_url", "sha", "merged", "message", "state"].filter((k) => k in d).map((k) => [k, d[k]]));
}
