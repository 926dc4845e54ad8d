import { CloudwaysError, type CloudwaysClient } from "@/server/adapters/cloudways";
import type { MonitoringType } from "@/server/adapters/cloudways/types";
import { AppError } from "@/server/core/errors";

/** Cloudways reads for /ai/cloudways/*: upstream failures become our errors (429 stays 429, with Retry-After). */
function configured(client: CloudwaysClient | null): CloudwaysClient {
  if (!client) throw new AppError("NOT_FOUND", "Cloudways is not configured: set CW_EMAIL and CW_API_KEY, or CW_ACCESS_TOKEN.");
  return client;
}

async function upstream<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof CloudwaysError)) throw err;
    if (err.kind === "rate_limited") {
      const retry = err.retryAfterSeconds ?? 60;
      throw new AppError("RATE_LIMITED", `Cloudways is rate limiting us; retry in ${retry} s.`, { upstream: "cloudways" }, { "retry-after": String(retry) });
    }
    if (err.kind === "not_found") throw new AppError("NOT_FOUND", err.message);
    console.warn(`[cloudways] ${err.message}`);
    throw new AppError("UNAVAILABLE", err.message);
  }
}

export const listServers = async (client: CloudwaysClient | null) => ({ servers: await upstream(() => configured(client).servers()) });

export const serverServices = async (client: CloudwaysClient | null, serverId: string) => ({
  serverId,
  services: await upstream(() => configured(client).services(serverId)),
});

export const serverMonitoring = async (client: CloudwaysClient | null, serverId: string, type: MonitoringType) => ({
  serverId,
  type,
  items: await upstream(() => configured(client).monitoringSummary(serverId, type)),
});
