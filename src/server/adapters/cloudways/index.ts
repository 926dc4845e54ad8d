import type { Env } from "@/env";
import { createCloudwaysClient } from "./http";
import { DEFAULT_CLOUDWAYS_URL, type CloudwaysClient } from "./types";

export type { CloudwaysClient } from "./types";
export { CloudwaysError, DEFAULT_CLOUDWAYS_URL } from "./types";
export { createCloudwaysClient };

/** Cloudways when an access token, or an email and API key, is configured; else null (not configured). */
export function cloudwaysFromEnv(e: Env): CloudwaysClient | null {
  if (!e.CW_ACCESS_TOKEN && !(e.CW_EMAIL && e.CW_API_KEY)) return null;
  return createCloudwaysClient({
    baseUrl: e.CW_API_URL ?? DEFAULT_CLOUDWAYS_URL,
    email: e.CW_EMAIL,
    apiKey: e.CW_API_KEY,
    accessToken: e.CW_ACCESS_TOKEN,
    timeoutMs: e.PROBE_TIMEOUT_MS * 2,
  });
}
