import type { Env } from "@/env";
import { CloudwaysExecutor } from "./cloudways";
import { GitHubExecutor } from "./github";
import type { Executor } from "./types";

export type ExecutorSet = Record<Executor["name"], Executor>;

/** How long one execution may take before it is abandoned as failed (Cloudways polls its operation). */
export const EXECUTOR_TIMEOUT_MS: Record<Executor["name"], number> = { github: 30_000, cloudways: 10 * 60_000 };

/**
 * Dry-run executors unless EXECUTORS=live: credentials configured for reading (indexing with
 * GITHUB_TOKEN, hosting status with Cloudways) must never silently make approved intents real.
 */
export function executorsFromEnv(env: Env): ExecutorSet {
  const live = env.EXECUTORS === "live";
  return {
    github: new GitHubExecutor({ token: env.GITHUB_TOKEN, baseUrl: env.GITHUB_API_URL, live }),
    cloudways: new CloudwaysExecutor({ email: env.CW_EMAIL, apiKey: env.CW_API_KEY, baseUrl: env.CW_API_URL, live }),
  };
}

/** Each executor as it would run now: live, or dry-run and why (for /ai/status). */
export function executorModes(env: Env): { name: Executor["name"]; mode: "live" | "dry-run"; reason: string | null }[] {
  return Object.values(executorsFromEnv(env)).map((e) => ({ name: e.name, mode: e.dryRun ? "dry-run" : "live", reason: e.dryRunReason }));
}
