import type { Env } from "@/env";
import { CloudwaysExecutor } from "./cloudways";
import { GitHubExecutor } from "./github";
import type { Executor } from "./types";

export type ExecutorSet = Record<Executor["name"], Executor>;

/** How long one execution may take before it is abandoned as failed (Cloudways polls its operation). */
export const EXECUTOR_TIMEOUT_MS: Record<Executor["name"], number> = { github: 30_000, cloudways: 10 * 60_000 };

/** Real executors where credentials are configured, dry-run ones otherwise (the zero-config default). */
export function executorsFromEnv(env: Env): ExecutorSet {
  return {
    github: new GitHubExecutor({ token: env.GITHUB_TOKEN, baseUrl: env.GITHUB_API_URL }),
    cloudways: new CloudwaysExecutor({ email: env.CW_EMAIL, apiKey: env.CW_API_KEY, baseUrl: env.CW_API_URL }),
  };
}
