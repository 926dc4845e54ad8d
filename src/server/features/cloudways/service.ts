import { CloudwaysError, type CloudwaysClient } from "@/server/adapters/cloudways";
import type { MonitoringType } from "@/server/adapters/cloudways/types";
import { AppError } from "@/server/core/errors";
import type { SnapshotCache } from "@/server/core/snapshot";
import { PROVIDER_MAX_AGE_MS, PROVIDER_SNAPSHOTS } from "@/server/features/connections/snapshots";

interface CloudwaysDeps {
  cloudways: CloudwaysClient | null;
  snapshots: SnapshotCache;
}

/** Snapshots of Cloudways' answers; a refresh of the connections forgets them (they start with PROVIDER_SNAPSHOTS). */
export const CLOUDWAYS_SNAPSHOTS = `${PROVIDER_SNAPSHOTS}cloudways:`;

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

/**
 * One call to Cloudways per `key` every PROVIDER_MAX_AGE_MS on this instance, shared by the callers
 * meanwhile (its rate limit is tight, and every agent and page polls); `asOf` says when it answered.
 * A failure is not kept: the next caller asks again.
 */
async function shared<T>(deps: CloudwaysDeps, key: string, work: (client: CloudwaysClient) => Promise<T>): Promise<{ value: T; asOf: string }> {
  const client = configured(deps.cloudways);
  const { value, asOf } = await deps.snapshots.get(`${CLOUDWAYS_SNAPSHOTS}${key}`, PROVIDER_MAX_AGE_MS, () => upstream(() => work(client)));
  return { value, asOf: asOf.toISOString() };
}

export async function listServers(deps: CloudwaysDeps) {
  const { value, asOf } = await shared(deps, "servers", (c) => c.servers());
  return { servers: value, asOf };
}

export async function serverServices(deps: CloudwaysDeps, serverId: string) {
  const { value, asOf } = await shared(deps, `services:${serverId}`, (c) => c.services(serverId));
  return { serverId, services: value, asOf };
}

export async function serverMonitoring(deps: CloudwaysDeps, serverId: string, type: MonitoringType) {
  const { value, asOf } = await shared(deps, `monitoring:${serverId}:${type}`, (c) => c.monitoringSummary(serverId, type));
  return { serverId, type, items: value, asOf };
}
