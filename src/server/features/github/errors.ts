import { githubStatus } from "@/server/adapters/github/client";
import { AppError } from "@/server/core/errors";

/** GitHub's refusals in our error vocabulary; anything else stays a 500. */
export function mapGitHubError(err: unknown, repoId: string): never {
  const status = githubStatus(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === 404) throw new AppError("NOT_FOUND", `GitHub has no ${repoId} (or that branch, commit or path), or GITHUB_TOKEN cannot see it.`);
  if (status === 409) throw new AppError("NOT_FOUND", `GitHub: ${repoId} is empty (${message}).`);
  if (status === 401) throw new AppError("UNAVAILABLE", "GitHub refused GITHUB_TOKEN (401): the token is wrong or expired.");
  if (status === 429 || (status === 403 && /rate limit/i.test(message))) {
    const headers = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
    const reset = Number(headers["x-ratelimit-reset"] ?? 0) * 1000;
    const wait = Number(headers["retry-after"]) || (reset > Date.now() ? Math.ceil((reset - Date.now()) / 1000) : 60);
    throw new AppError("RATE_LIMITED", `GitHub's rate limit is exhausted; try again in ${wait} s.`, undefined, { "retry-after": String(wait) });
  }
  if (status === 403) throw new AppError("UNAVAILABLE", `GitHub refused GITHUB_TOKEN access to ${repoId} (403): ${message}`);
  if (status === 422) throw new AppError("BAD_REQUEST", `GitHub refused the filters: ${message}`);
  throw err;
}
