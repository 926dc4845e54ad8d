import { Octokit } from "@octokit/rest";
import type { Probe } from "./types";

// a failed probe is reported as its result; Octokit's own request log would only repeat it
const noop = () => {};
const QUIET = { debug: noop, info: noop, warn: noop, error: noop };

/** GitHub: an authenticated GET /rate_limit (it does not count against the limit) and what remains of it. */
export function githubProbe(cfg: { token: string; baseUrl?: string }): Probe {
  return async (signal) => {
    const octokit = new Octokit({ auth: cfg.token, baseUrl: cfg.baseUrl, userAgent: "ops-orchestrator", request: { signal, retries: 0 }, log: QUIET });
    const { data, headers } = await octokit.rest.rateLimit.get();
    const core = data.resources.core;
    const warnings = core.remaining < core.limit * 0.1 ? [`only ${core.remaining} of ${core.limit} API calls left until ${new Date(core.reset * 1000).toISOString()}`] : [];
    return {
      details: { limit: core.limit, remaining: core.remaining, used: core.used, resetAt: new Date(core.reset * 1000).toISOString(), scopes: headers["x-oauth-scopes"] ?? null },
      warnings,
    };
  };
}
